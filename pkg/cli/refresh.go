package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/fixes"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// RefreshOptions holds what `kubectl argofix refresh` needs.
type RefreshOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	ChangeFlags

	Name      string
	Namespace string
	Hard      bool
}

// NewCmdRefresh builds `kubectl argofix refresh APP`.
func NewCmdRefresh(root *RootOptions) *cobra.Command {
	o := &RefreshOptions{Root: root}
	cmd := &cobra.Command{
		Use:   "refresh APP",
		Short: "Ask the application-controller to refresh an Application (the argocd.argoproj.io/refresh annotation)",
		Long: `Sets the argocd.argoproj.io/refresh annotation on the Application, as the
argocd CLI and UI do: "normal" compares the app with the manifests cached for
its revision, "hard" (--hard) also regenerates the manifests in the
repo-server. The controller removes the annotation once it has refreshed.`,
		Example:           `  kubectl argofix refresh guestbook --hard`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeAppNames(root),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateCompleteRun(o.validate, func() error { return o.Complete(cmd, args) }, func() error { return o.Run(cmd.Context()) })
		},
	}
	o.addFlags(cmd, root.Getenv)
	cmd.Flags().BoolVar(&o.Hard, "hard", false, "regenerate the manifests too (repo-server cache bypassed)")
	return cmd
}

// Complete fills in the clients and the app's namespace.
func (o *RefreshOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Name = args[0]
	a, err := o.Root.completeClients(cmd.Context(), &o.Clients)
	o.Namespace = o.Root.appNamespace(a)
	return err
}

// Run annotates the app through the guarded path.
func (o *RefreshOptions) Run(ctx context.Context) error {
	if _, err := snapshot.GetApp(ctx, o.Clients, snapshot.AppTarget{Namespace: o.Namespace, Name: o.Name}); err != nil {
		return explainReadError(err, o.Root.kubeContext())
	}
	kind := "normal"
	if o.Hard {
		kind = "hard"
	}
	plan := fixes.Plan{Steps: []fixes.Step{refreshStep(o.Namespace, o.Name, kind)}}
	return o.Root.applyPlan(ctx, o.Root.applier(o.Clients, &o.ChangeFlags), plan, nil)
}

// refreshStep asks the controller for a refresh ("normal" or "hard") of an
// app: the argocd.argoproj.io/refresh annotation, as the argocd CLI sets it.
func refreshStep(namespace, name, kind string) fixes.Step {
	ref := report.ObjectRef{Group: argocd.Group, Kind: "Application", Namespace: namespace, Name: name}
	fix := report.NewFix("refresh", "low", fmt.Sprintf("ask the application-controller for a %s refresh of %s", kind, ref),
		report.AnnotateAction(argocd.ApplicationsResource, ref, argocd.RefreshAnnotation, kind))
	return fixes.Step{Object: ref, Fix: fix}
}
