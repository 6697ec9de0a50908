package cli

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/fixes"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// installFixIDs are the fixes `fix install` applies; other fixes of install
// findings (crd-terminating's finalizers) have commands of their own.
var installFixIDs = []string{"rollout-restart", "set-controller-replicas", "processors"}

// FixInstallOptions holds what `kubectl argofix fix install` needs.
type FixInstallOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	Now     func() time.Time
	ChangeFlags

	ArgoCD argoCD
	Only   string
}

// NewCmdFixInstall builds `kubectl argofix fix install`.
func NewCmdFixInstall(root *RootOptions) *cobra.Command {
	o := &FixInstallOptions{Root: root, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Apply the fixes of the installation audit: restart stale components, match controller replicas, size processors",
		Long: `Audits the Argo CD installation (as diagnose install does), then applies its
fixes under the guards of every change:
  rollout-restart          restart exactly the components whose settings changed
                           after they started (kubectl rollout restart's
                           pod-template annotation, one workload at a time)
  set-controller-replicas  make ARGOCD_CONTROLLER_REPLICAS match the
                           application-controller StatefulSet's replicas
  processors               set the controller's status/operation processors in
                           argocd-cmd-params-cm from the sizing guide, then
                           restart the controller
Each change is shown first, confirmed, bound to the workload as diagnosed
(uid and generation), re-checked just before it is sent, and journaled for undo.`,
		Example: `  kubectl argofix fix install --dry-run
  kubectl argofix fix install --only rollout-restart
  kubectl argofix fix install --only set-controller-replicas --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateCompleteRun(o.Validate, func() error { return o.Complete(cmd) }, func() error { return o.Run(cmd.Context()) })
		},
	}
	o.addFlags(cmd, root.Getenv)
	o.addDiagnosisFlags(cmd)
	cmd.Flags().StringVar(&o.Only, "only", "", "apply only these fix ids (comma-separated): "+strings.Join(installFixIDs, ", "))
	_ = cmd.RegisterFlagCompletionFunc("only", cobra.FixedCompletions(installFixIDs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Complete fills in the clients and the Argo CD namespace.
func (o *FixInstallOptions) Complete(cmd *cobra.Command) error {
	var err error
	o.ArgoCD, err = o.Root.completeClients(cmd.Context(), &o.Clients)
	return err
}

// Validate checks the flags.
func (o *FixInstallOptions) Validate() error {
	if err := o.validate(); err != nil {
		return err
	}
	return validateOnly(o.Only, installFixIDs)
}

// Run audits the installation and applies the chosen fixes.
func (o *FixInstallOptions) Run(ctx context.Context) error {
	snap, err := o.collect(ctx)
	if err != nil {
		return explainReadError(err, o.Root.kubeContext())
	}
	plan, manual := fixes.Select(installFindings(snap), splitIDs(o.Only))
	a := o.Root.applier(o.Clients, &o.ChangeFlags)
	a.Recheck = func(ctx context.Context) (fixes.Recheck, error) {
		snap, err := o.collect(ctx)
		if err != nil {
			return nil, err
		}
		return fixes.NewRecheck(installFindings(snap)), nil
	}
	return o.Root.applyPlan(ctx, a, plan, manual)
}

func (o *FixInstallOptions) collect(ctx context.Context) (*snapshot.Snapshot, error) {
	return snapshot.CollectInstall(ctx, o.Clients, o.ArgoCD.collectOptions(o.Now(), o.StuckAfter))
}

// installFindings are the install audit's findings with only the fixes
// `fix install` applies.
func installFindings(snap *snapshot.Snapshot) []report.Finding {
	found, _ := diagnose.Run(snap, diagnose.ChecksOf(diagnose.CategoryInstall))
	var out []report.Finding
	for _, f := range report.NewReport(found, nil).Findings {
		f.Fixes = slices.DeleteFunc(slices.Clone(f.Fixes), func(fix report.Fix) bool { return !slices.Contains(installFixIDs, fix.ID) })
		if len(f.Fixes) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// installFixCommand is the `fix install` command that applies a fix of an
// install finding; "" for other fixes.
func installFixCommand(dn string, f report.Finding, fix report.Fix) string {
	if diagnose.CategoryOf(f.ID) != diagnose.CategoryInstall || !slices.Contains(installFixIDs, fix.ID) {
		return ""
	}
	return dn + " fix install --only " + fix.ID
}
