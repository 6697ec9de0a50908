package cli

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// DiagnoseAppSetOptions holds what `kubectl argofix diagnose appset` needs to run.
type DiagnoseAppSetOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	Now     func() time.Time
	ReportFlags

	Name      string
	Namespace string
	ArgoCD    argoCD
}

// NewCmdDiagnoseAppSet builds `kubectl argofix diagnose appset NAME`.
func NewCmdDiagnoseAppSet(root *RootOptions) *cobra.Command {
	o := &DiagnoseAppSetOptions{Root: root, Now: time.Now}
	cmd := &cobra.Command{
		Use:     "appset NAME",
		Aliases: []string{"applicationset"},
		Short:   "Diagnose one Argo CD ApplicationSet and the Applications it owns",
		Example: `  # why does the cluster-addons ApplicationSet generate nothing, or not go away?
  kubectl argofix diagnose appset cluster-addons

  # an ApplicationSet in another namespace, as JSON
  kubectl argofix diagnose appset cluster-addons -n team-a -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: firstArg(completeNames(root, snapshot.ApplicationSetsResource, true)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateCompleteRun(o.Validate, func() error { return o.Complete(cmd, args) }, func() error { return o.Run(cmd.Context()) })
		},
	}
	o.addFlags(cmd)
	return cmd
}

// Complete fills in the clients and namespaces.
func (o *DiagnoseAppSetOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Name = args[0]
	var err error
	if o.ArgoCD, err = o.Root.completeClients(cmd.Context(), &o.Clients); err != nil {
		return err
	}
	o.Namespace = o.Root.appNamespace(o.ArgoCD)
	return nil
}

// Validate checks the flags.
func (o *DiagnoseAppSetOptions) Validate() error {
	return o.validate()
}

// Run collects, checks and prints. An unknown ApplicationSet is bad input
// (exit 2) with the closest names; a cluster serving no ApplicationSets
// cannot be read (exit 3).
func (o *DiagnoseAppSetOptions) Run(ctx context.Context) error {
	snap, err := snapshot.CollectAppSet(ctx, o.Clients,
		snapshot.AppSetTarget{Namespace: o.Namespace, Name: o.Name},
		o.ArgoCD.collectOptions(o.Now(), o.StuckAfter))
	var notFound *snapshot.AppSetNotFoundError
	if errors.As(err, &notFound) {
		code := ExitBadInput
		if notFound.NotServed {
			code = ExitUnreadable
		}
		return &ExitError{Code: code, Err: err}
	}
	return reportDiagnosis(o.Root, &o.ReportFlags, snap, err, "")
}
