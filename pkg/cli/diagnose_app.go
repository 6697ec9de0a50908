package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// DiagnoseAppOptions holds what `kubectl argofix diagnose app` needs to run.
type DiagnoseAppOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	Now     func() time.Time
	ReportFlags

	Name      string
	Namespace string
	ArgoCD    argoCD
	// ArgoCDServer is the optional argocd-server to read the tree from.
	ArgoCDServer ServerFlags
}

// NewCmdDiagnoseApp builds `kubectl argofix diagnose app NAME`.
func NewCmdDiagnoseApp(root *RootOptions) *cobra.Command {
	o := &DiagnoseAppOptions{Root: root, Now: time.Now}
	cmd := &cobra.Command{
		Use:     "app NAME",
		Aliases: []string{"application"},
		Short:   "Diagnose one Argo CD Application",
		Example: `  # why is guestbook stuck?
  kubectl argofix diagnose app guestbook

  # an app in another namespace (apps in any namespace), as JSON
  kubectl argofix diagnose app guestbook -n team-a -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeAppNames(root),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateCompleteRun(o.Validate, func() error { return o.Complete(cmd, args) }, func() error { return o.Run(cmd.Context()) })
		},
	}
	o.addFlags(cmd)
	o.ArgoCDServer.addFlags(cmd)
	return cmd
}

// Complete fills in the clients and namespaces.
func (o *DiagnoseAppOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Name = args[0]
	var err error
	if o.Namespace, o.ArgoCD, err = o.Root.completeApp(cmd.Context(), &o.Clients, o.Name); err != nil {
		return err
	}
	return o.ArgoCDServer.complete(o.Root)
}

// Validate checks the flags.
func (o *DiagnoseAppOptions) Validate() error {
	return o.validate()
}

// Run collects, checks and prints.
func (o *DiagnoseAppOptions) Run(ctx context.Context) error {
	snap, err := snapshot.CollectApp(ctx, o.Clients,
		snapshot.AppTarget{Namespace: o.Namespace, Name: o.Name},
		o.ArgoCD.collectOptions(o.Now(), o.StuckAfter))
	snap, err = o.ArgoCDServer.collectServer(ctx, o.Clients, snap, err)
	return reportDiagnosis(o.Root, &o.ReportFlags, snap, err, "")
}

// completeAppNames offers the Applications of the namespace being used
// (-n, else the Argo CD namespace), read within completionTimeout.
func completeAppNames(root *RootOptions) cobra.CompletionFunc {
	return firstArg(completeNames(root, argocd.ApplicationsResource, true))
}
