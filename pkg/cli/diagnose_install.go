package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// DiagnoseInstallOptions holds what `kubectl argofix diagnose install` and
// `diagnose security` need: both audit the installation of the Argo CD
// namespace, each through the checks of its category.
type DiagnoseInstallOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	Now     func() time.Time
	ReportFlags

	ArgoCD argoCD
}

// NewCmdDiagnoseInstall builds `kubectl argofix diagnose install`.
func NewCmdDiagnoseInstall(root *RootOptions) *cobra.Command {
	o := &DiagnoseInstallOptions{Root: root, Now: time.Now}
	o.Categories = []diagnose.Category{diagnose.CategoryInstall}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Audit the Argo CD installation: components, versions, CRDs, sharding, sizing, settings that need a restart",
		Long: `Audits the Argo CD installation of the Argo CD namespace: components with no
ready replica, the version against Kubernetes and the installed CRDs, the
application-controller's sharding and sizing (Applications per replica,
processors), repo-server replicas, monorepos without manifest-generate-paths,
and settings changed after the component that reads them at start.`,
		Example: `  kubectl argofix diagnose install
  kubectl argofix --argocd-namespace argo diagnose install -o json --fail-on warning

  # a finding you accept: skip it everywhere, or on one object
  kubectl argofix diagnose install --ignore repo-server-single
  kubectl -n argocd annotate deployment argocd-repo-server argofix.dev/ignore=repo-server-single`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd) },
	}
	o.addFlags(cmd)
	return cmd
}

// run is Validate, Complete and Run, for RunE.
func (o *DiagnoseInstallOptions) run(cmd *cobra.Command) error {
	return validateCompleteRun(o.Validate, func() error { return o.Complete(cmd) }, func() error { return o.Run(cmd.Context()) })
}

// Complete fills in the clients and the Argo CD namespace.
func (o *DiagnoseInstallOptions) Complete(cmd *cobra.Command) error {
	var err error
	o.ArgoCD, err = o.Root.completeClients(cmd.Context(), &o.Clients)
	return err
}

// Validate checks the flags.
func (o *DiagnoseInstallOptions) Validate() error { return o.validate() }

// Run collects the installation, runs the category's checks and prints.
func (o *DiagnoseInstallOptions) Run(ctx context.Context) error {
	snap, err := snapshot.CollectInstall(ctx, o.Clients, o.ArgoCD.collectOptions(o.Now(), o.StuckAfter))
	return reportDiagnosis(o.Root, &o.ReportFlags, snap, err, "")
}
