// Package cli holds the cobra commands of kubectl-argofix, one file per
// command, each with an Options struct in kubectl's Complete/Validate/Run shape.
package cli

import (
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// BuildInfo is stamped into the binary with -ldflags by the Makefile.
type BuildInfo struct {
	Version string
	Commit  string
	Date    string
}

// RootOptions are the flags every command shares.
type RootOptions struct {
	Streams         genericiooptions.IOStreams
	ConfigFlags     *genericclioptions.ConfigFlags
	ArgoCDNamespace string
	Color           string
	Build           BuildInfo
	// Getenv is injected so NO_COLOR is testable.
	Getenv func(string) string
	// DisplayName is what users type to run the plugin ("kubectl argofix").
	DisplayName string
}

// NewRootCmd builds the root command and every subcommand. displayName is
// what users type to run it ("kubectl argofix"), shown in usage lines.
func NewRootCmd(streams genericiooptions.IOStreams, build BuildInfo, displayName string) *cobra.Command {
	o := &RootOptions{
		Streams:     streams,
		ConfigFlags: genericclioptions.NewConfigFlags(true),
		Color:       "auto",
		Build:       build,
		Getenv:      os.Getenv,
		DisplayName: displayName,
	}
	cmd := &cobra.Command{
		Use:   binaryName(displayName),
		Short: "Find out why Argo CD is stuck, show the evidence, and fix it safely",
		Long: `kubectl argofix diagnoses Argo CD Applications and installations from the live
cluster: why an Application will not delete, why a namespace hangs in
Terminating, why an app references a project that is gone, and more.`,
		Example: `  kubectl argofix diagnose app guestbook
  kubectl argofix diagnose app guestbook -o json`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// kubectl runs plugins as kubectl-argofix; show users what they type.
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: displayName},
	}
	// --version as well as the version command, in the same words.
	cmd.Version = build.Version
	cmd.SetVersionTemplate(versionLine(build))
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	cmd.PersistentPreRunE = func(*cobra.Command, []string) error {
		_, err := o.UseColor() // a bad --color is bad input before anything runs
		return err
	}
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return badInput("%w\nSee '%s --help'.", err, c.CommandPath())
	})

	flags := cmd.PersistentFlags()
	o.ConfigFlags.AddFlags(flags)
	flags.StringVar(&o.ArgoCDNamespace, "argocd-namespace", "",
		"namespace of the Argo CD installation (default: where argocd-application-controller runs, else argocd)")
	flags.StringVar(&o.Color, "color", o.Color, "colour output: auto, always or never (NO_COLOR is honoured)")

	cmd.AddCommand(
		NewCmdDiagnose(o),
		NewCmdFix(o),
		NewCmdFinalizers(o),
		NewCmdRefresh(o),
		NewCmdInvalidateCache(o),
		NewCmdUndo(o),
		NewCmdExplain(o),
		NewCmdVersion(o),
	)
	// After every command is added: help spelled for the name run by, and
	// dynamic completion for flags and arguments (invocation.go, completion.go).
	spellCommands(cmd, displayName)
	registerCompletions(cmd, o)
	return cmd
}

// UseColor decides whether to colour output: only on a terminal with
// --color=auto, never when NO_COLOR is set unless --color=always.
func (o *RootOptions) UseColor() (bool, error) {
	switch o.Color {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if o.Getenv("NO_COLOR") != "" {
			return false, nil
		}
		f, ok := o.Streams.Out.(*os.File)
		return ok && term.IsTerminal(int(f.Fd())), nil
	}
	return false, badInput("--color must be auto, always or never, not %q", o.Color)
}

// terminalWidth is the width of the terminal output goes to; 0 when it is
// not a terminal (a file or a pipe keeps whole lines).
func (o *RootOptions) terminalWidth() int {
	f, ok := o.Streams.Out.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// kubeContext names the kubeconfig context in use, for error messages.
func (o *RootOptions) kubeContext() string {
	if o.ConfigFlags.Context != nil && *o.ConfigFlags.Context != "" {
		return *o.ConfigFlags.Context
	}
	raw, err := o.ConfigFlags.ToRawKubeConfigLoader().RawConfig()
	if err != nil || raw.CurrentContext == "" {
		return "(none)"
	}
	return raw.CurrentContext
}

// explicitNamespace returns -n when the user gave it.
func (o *RootOptions) explicitNamespace() string {
	if o.ConfigFlags.Namespace != nil {
		return *o.ConfigFlags.Namespace
	}
	return ""
}

// displayName is what users type to run the plugin.
func (o *RootOptions) displayName() string { return o.DisplayName }
