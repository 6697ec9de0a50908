package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// NewCmdDiagnose builds `kubectl argofix diagnose`, the parent of the
// read-only commands.
// Without a target it diagnoses the whole cluster: every Application of the
// Argo CD namespace (all namespaces with -A), every namespace and the CRDs.
func NewCmdDiagnose(root *RootOptions) *cobra.Command {
	o := &DiagnoseAppsOptions{Root: root, Now: time.Now, WholeCluster: true}
	cmd := &cobra.Command{
		Use:   "diagnose",
		Short: "Find what is wrong with Argo CD, and why (read-only)",
		Example: `  # everything: Applications, stuck namespaces, Argo CD CRDs
  kubectl argofix diagnose -A

  # for a script: JSON, exit 1 on any warning
  kubectl argofix diagnose -A -o json --fail-on warning`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd) },
	}
	o.addFlags(cmd)
	cmd.AddCommand(NewCmdDiagnoseApp(root), NewCmdDiagnoseApps(root), NewCmdDiagnoseNamespace(root))
	cmd.AddCommand(NewCmdDiagnoseInstall(root), NewCmdDiagnoseSecurity(root))
	cmd.AddCommand(NewCmdDiagnoseAppSet(root))
	return cmd
}

// ReportFlags are the flags every diagnose command shares.
type ReportFlags struct {
	Output     string
	FailOn     string
	StuckAfter time.Duration
	NoHeaders  bool
	// FailOnIncomplete makes a partial report fail (exit 1), for CI.
	FailOnIncomplete bool
	// Ignore are finding ids not to report (--ignore, ignore.go).
	Ignore []string
	// Categories limit the checks run (diagnose install, security); none: all.
	Categories []diagnose.Category
}

func (f *ReportFlags) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.Output, "output", "o", report.OutputTable, "output format: "+strings.Join(report.Formats, ", "))
	cmd.Flags().StringVar(&f.FailOn, "fail-on", string(report.SeverityError), "exit 1 when a finding is at or above this severity: error, warning, info or never")
	cmd.Flags().DurationVar(&f.StuckAfter, "stuck-after", 5*time.Minute, "how long a deletion or operation may last before it counts as stuck")
	cmd.Flags().BoolVar(&f.NoHeaders, "no-headers", false, "leave out the table's header line")
	cmd.Flags().BoolVar(&f.FailOnIncomplete, "fail-on-incomplete", false, "exit 1 when a read was refused and some checks could not run (the report is partial)")
	f.addIgnoreFlag(cmd)
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(report.Formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"error", "warning", "info", "never"}, cobra.ShellCompDirectiveNoFileComp))
}

func (f *ReportFlags) validate() error {
	if !slices.Contains(report.Formats, f.Output) {
		return badInput("--output must be one of %s, not %q", strings.Join(report.Formats, ", "), f.Output)
	}
	if !slices.Contains([]string{"error", "warning", "info", "never"}, f.FailOn) {
		return badInput("--fail-on must be error, warning, info or never, not %q", f.FailOn)
	}
	if f.StuckAfter < 0 {
		return badInput("--stuck-after must not be negative")
	}
	if err := f.validateIgnore(); err != nil {
		return err
	}
	return nil
}

// threshold is the severity --fail-on names; "" for never.
func (f *ReportFlags) threshold() report.Severity {
	if f.FailOn == "never" {
		return ""
	}
	return report.Severity(f.FailOn)
}

// reportDiagnosis is the end every diagnose command shares: explain a read
// that failed, else run the checks over the Snapshot, print the report and
// turn findings above --fail-on into exit 1. empty, when set, replaces "No
// problems found": the selection was empty, or the object is not in
// trouble at all, which is not an all-clear.
func reportDiagnosis(root *RootOptions, f *ReportFlags, snap *snapshot.Snapshot, err error, empty string) error {
	if err != nil {
		return explainReadError(err, root.kubeContext())
	}
	f.applyIgnore(snap)
	r := withFixCommands(report.NewReport(diagnose.Run(snap, f.checks())), root.displayName())
	for _, view := range snap.Views() {
		r.Instances = append(r.Instances, report.Instance{Namespace: view.ArgoCDNamespace, Guessed: view.ArgoCDNamespaceGuessed})
	}
	useColor, err := root.UseColor()
	if err != nil {
		return err
	}
	if err := report.Print(root.Streams.Out, r, report.PrintOptions{Format: f.Output, Color: useColor, NoHeaders: f.NoHeaders, Width: root.terminalWidth(), Empty: empty}); err != nil {
		return fmt.Errorf("print report: %w", err)
	}
	if r.Fails(f.threshold()) || f.FailOnIncomplete && len(r.Incomplete) > 0 {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}
