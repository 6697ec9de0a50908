package cli

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/fixes"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
	"github.com/argofix/kubectl-argofix/pkg/suggest"
)

// NewCmdFix builds `kubectl argofix fix`, the parent of the commands that
// apply what a diagnosis proposes.
func NewCmdFix(root *RootOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fix",
		Short: "Apply the fixes a diagnosis proposes: shown first, confirmed, race-safe, journaled and undoable",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return badInput("fix needs a target: %s fix app NAME, or %s fix namespace NAME", root.displayName(), root.displayName())
		},
	}
	cmd.AddCommand(NewCmdFixApp(root), NewCmdFixNamespace(root))
	cmd.AddCommand(NewCmdFixInstall(root))
	return cmd
}

// ChangeFlags are the flags of every command that writes: kubectl's
// --dry-run, --yes, --force and where the journal goes.
type ChangeFlags struct {
	// Wait follows each workload restart's rollout up to this long (0: do
	// not wait), one workload at a time.
	Wait       time.Duration
	DryRun     string
	Yes        bool
	Force      bool
	JournalDir string
	StuckAfter time.Duration
}

// addDiagnosisFlags adds the flags of the commands that diagnose before
// they fix: --force, for what orphans or destroys, and --stuck-after.
func (f *ChangeFlags) addDiagnosisFlags(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.Force, "force", false, "also apply fixes that orphan or destroy something (each says what)")
	cmd.Flags().DurationVar(&f.StuckAfter, "stuck-after", 5*time.Minute, "how long a deletion or operation may last before it counts as stuck")
	cmd.Flags().DurationVar(&f.Wait, "wait", 0, "after restarting a workload, follow its rollout for up to this long (e.g. 5m) before the next change")
}

func (f *ChangeFlags) addFlags(cmd *cobra.Command, getenv func(string) string) {
	cmd.Flags().StringVar(&f.DryRun, "dry-run", string(fixes.DryRunNone),
		`"client" prints the exact requests and sends nothing; "server" sends them with dryRun=All and shows the server's answer; "none" applies`)
	cmd.Flags().Lookup("dry-run").NoOptDefVal = string(fixes.DryRunClient)
	cmd.Flags().BoolVarP(&f.Yes, "yes", "y", false, "apply without asking (required when stdin is not a terminal)")
	cmd.Flags().StringVar(&f.JournalDir, "journal-dir", fixes.DefaultJournalDir(getenv),
		"where the journal of prior states is written before the first change (for undo)")
	_ = cmd.RegisterFlagCompletionFunc("dry-run", cobra.FixedCompletions([]string{"none", "client", "server"}, cobra.ShellCompDirectiveNoFileComp))
}

func (f *ChangeFlags) validate() error {
	switch fixes.DryRun(f.DryRun) {
	case fixes.DryRunNone, fixes.DryRunClient, fixes.DryRunServer:
	default:
		return badInput(`--dry-run must be "none", "client" or "server", not %q`, f.DryRun)
	}
	if f.StuckAfter < 0 {
		return badInput("--stuck-after must not be negative")
	}
	if f.Wait < 0 {
		return badInput("--wait must not be negative")
	}
	return nil
}

// applier builds the guarded executor from the root's clients and streams.
func (o *RootOptions) applier(c snapshot.Clients, f *ChangeFlags) *fixes.Applier {
	in, isTerminal := o.Streams.In.(*os.File)
	return &fixes.Applier{
		Dynamic:      c.Dynamic,
		Reviews:      c.Kube.AuthorizationV1().SelfSubjectAccessReviews(),
		Out:          o.Streams.Out,
		In:           o.Streams.In,
		InIsTerminal: isTerminal && term.IsTerminal(int(in.Fd())),
		DryRun:       fixes.DryRun(f.DryRun),
		Yes:          f.Yes,
		Force:        f.Force,
		JournalDir:   f.JournalDir,
		KubeContext:  o.kubeContext(),
		WaitRollout:  f.Wait,
		DisplayName:  o.displayName(),
		Now:          time.Now,
	}
}

// applyPlan runs a plan through the guards and turns the outcome into the
// exit status of docs/output.md: 0 done or nothing to do, 1 something refused
// or conflicted, 3 not permitted.
func (o *RootOptions) applyPlan(ctx context.Context, a *fixes.Applier, plan fixes.Plan, manual []fixes.Step) error {
	printManual(o, manual)
	res, err := a.Apply(ctx, plan)
	var denied *fixes.PermissionError
	switch {
	case errors.As(err, &denied):
		return &ExitError{Code: ExitUnreadable, Err: err}
	case errors.Is(err, fixes.ErrNotConfirmed):
		return &ExitError{Code: ExitFindings, Err: err}
	case err != nil:
		return explainReadError(err, o.kubeContext())
	case !res.Clean():
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

// printManual lists the fixes a person must do by hand.
func printManual(o *RootOptions, manual []fixes.Step) {
	for _, s := range manual {
		out := "By hand (" + s.Fix.ID + " for " + s.FindingID + " " + s.Object.String() + "): " + s.Fix.Description
		if s.Fix.Command != "" {
			out += "\n   $ " + strings.ReplaceAll(s.Fix.Command, "\n", "\n     ")
		}
		_, _ = o.Streams.Out.Write([]byte(respell(out, o.displayName()) + "\n"))
	}
}

// splitIDs reads --only a,b,c.
func splitIDs(only string) []string {
	var ids []string
	for _, id := range strings.Split(only, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// validateOnly refuses a --only that names a fix not in known, with the
// closest id, so that a typo is not answered with "Nothing to fix".
func validateOnly(only string, known []string) error {
	for _, id := range splitIDs(only) {
		if slices.Contains(known, id) {
			continue
		}
		if slices.Contains(diagnose.FixIDs, id) {
			return badInput("--only: this command applies %s; %s is applied by another fix command (docs/fixes.md says which)", strings.Join(known, ", "), id)
		}
		hint := ""
		if closest := suggest.Closest(id, known); len(closest) > 0 {
			hint = " (did you mean " + closest[0] + "?)"
		}
		return badInput("--only: no fix is called %q%s; the fixes are %s", id, hint, strings.Join(known, ", "))
	}
	return nil
}

// notProposed says, when --only named fixes and no finding proposes any
// of them, what the findings do propose: "Nothing to fix" alone would
// hide that the fix asked for does not apply here.
func notProposed(ids []string, findings []report.Finding, plan fixes.Plan, manual []fixes.Step) string {
	if len(ids) == 0 || len(plan.Steps) > 0 || len(manual) > 0 {
		return ""
	}
	var proposed []string
	for _, f := range findings {
		for _, fix := range f.Fixes {
			if !slices.Contains(proposed, fix.ID) {
				proposed = append(proposed, fix.ID)
			}
		}
	}
	msg := "No finding proposes " + strings.Join(ids, ", ")
	if len(proposed) > 0 {
		return msg + "; the findings propose: " + strings.Join(proposed, ", ")
	}
	return msg + "; nothing was found to fix"
}

// findingsOf runs the checks and keeps what the report would show.
func findingsOf(snap *snapshot.Snapshot) []report.Finding {
	findings, _ := diagnose.Run(snap, diagnose.Checks())
	return report.NewReport(findings, nil).Findings
}
