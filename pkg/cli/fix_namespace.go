package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/fixes"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// FixNamespaceOptions holds what `kubectl argofix fix namespace` needs.
type FixNamespaceOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	Now     func() time.Time
	ChangeFlags

	Name   string
	ArgoCD argoCD
	Only   string
}

// NewCmdFixNamespace builds `kubectl argofix fix namespace NAME`.
func NewCmdFixNamespace(root *RootOptions) *cobra.Command {
	o := &FixNamespaceOptions{Root: root, Now: time.Now}
	cmd := &cobra.Command{
		Use:     "namespace NAME",
		Aliases: []string{"ns"},
		Short:   "Resolve a namespace stuck Terminating, in a safe order",
		Long: `Resolves a namespace stuck Terminating in a safe order: the Applications
inside it first, through the causes of their deletion (a missing project is
recreated, a deletion approved), never by stripping their finalizers unless
asked with --only remove-finalizers --force; then the finalizers of the other
objects left (each named with who should have removed it); the namespace's
spec.finalizers through the finalize subresource only once nothing remains.
An unavailable APIService is named; deleting it needs --only delete-apiservice.`,
		Example: `  kubectl argofix fix namespace payments-prd --dry-run
  kubectl argofix fix namespace payments-prd`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateCompleteRun(o.Validate, func() error { return o.Complete(cmd, args) }, func() error { return o.Run(cmd.Context()) })
		},
	}
	o.addFlags(cmd, root.Getenv)
	o.addDiagnosisFlags(cmd)
	cmd.Flags().StringVar(&o.Only, "only", "", "apply only these fix ids (comma-separated)")
	return cmd
}

// Complete fills in the clients and the Argo CD namespace.
func (o *FixNamespaceOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Name = args[0]
	var err error
	o.ArgoCD, err = o.Root.completeClients(cmd.Context(), &o.Clients)
	return err
}

// Validate checks the flags.
func (o *FixNamespaceOptions) Validate() error {
	if err := o.validate(); err != nil {
		return err
	}
	return validateOnly(o.Only, diagnose.FixIDs)
}

// Run diagnoses the namespace and the apps in it, and applies the plan.
func (o *FixNamespaceOptions) Run(ctx context.Context) error {
	appFindings, nsFindings, err := o.diagnose(ctx)
	if err != nil {
		return explainReadError(err, o.Root.kubeContext())
	}
	ids := splitIDs(o.Only)
	plan, manual := fixes.Select(appFindings, ids)
	nsPlan, nsManual := fixes.Select(nsFindings, o.namespaceFixIDs(nsFindings, ids))
	plan.Steps = append(plan.Steps, nsPlan.Steps...)
	manual = append(manual, nsManual...)
	if msg := notProposed(ids, append(appFindings, nsFindings...), plan, manual); msg != "" {
		fmt.Fprintln(o.Root.Streams.Out, msg)
	}
	a := o.Root.applier(o.Clients, &o.ChangeFlags)
	a.Recheck = func(ctx context.Context) (fixes.Recheck, error) {
		apps, ns, err := o.diagnose(ctx)
		var gone *snapshot.NamespaceNotFoundError
		if errors.As(err, &gone) {
			return fixes.Recheck{}, nil
		}
		if err != nil {
			return nil, err
		}
		return fixes.NewRecheck(append(apps, ns...)), nil
	}
	return o.Root.applyPlan(ctx, a, plan, manual)
}

// namespaceFixIDs chooses the namespace finding's fixes: those asked for,
// else every one that is not high risk (the finalizers of each object left,
// the namespace's own, finalize when nothing remains). An Application's
// finalizers are never among the defaults: its causes come first.
func (o *FixNamespaceOptions) namespaceFixIDs(findings []report.Finding, ids []string) []string {
	if len(ids) > 0 {
		return ids
	}
	var out []string
	for _, f := range findings {
		for _, fix := range f.Fixes {
			if fix.Risk != "high" {
				out = append(out, fix.ID)
			}
		}
	}
	return out
}

// diagnose reads the namespace and every Application inside it, and runs
// the checks over each: the apps' findings, then the namespace's.
func (o *FixNamespaceOptions) diagnose(ctx context.Context) (apps, namespace []report.Finding, err error) {
	opts := o.ArgoCD.collectOptions(o.Now(), o.StuckAfter)
	snap, err := snapshot.CollectNamespace(ctx, o.Clients, o.Name, opts)
	if err != nil {
		return nil, nil, err
	}
	for _, app := range snap.AllApplications {
		if app.Namespace != o.Name {
			continue
		}
		appSnap, err := snapshot.CollectApp(ctx, o.Clients, snapshot.AppTarget{Namespace: app.Namespace, Name: app.Name}, opts)
		var gone *snapshot.AppNotFoundError
		if errors.As(err, &gone) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		apps = append(apps, findingsOf(appSnap)...)
	}
	return apps, withoutAppFinalizers(findingsOf(snap)), nil
}

// withoutAppFinalizers drops, from the namespace's findings, the removal
// of an Application's finalizers: the app's own findings handle it.
func withoutAppFinalizers(findings []report.Finding) []report.Finding {
	for i := range findings {
		var kept []report.Fix
		for _, fix := range findings[i].Fixes {
			if fix.ID == "remove-finalizers" && len(fix.Actions) > 0 && fix.Actions[0].Kind == "Application" {
				continue
			}
			kept = append(kept, fix)
		}
		findings[i].Fixes = kept
	}
	return findings
}
