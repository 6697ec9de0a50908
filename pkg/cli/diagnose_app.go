package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/diagnose"
)

// DiagnoseAppOptions holds what `kubectl argofix diagnose app` needs to run.
type DiagnoseAppOptions struct {
	Root    *RootOptions
	Clients diagnose.Clients
	Now     func() time.Time
	ReportFlags

	Name            string
	Namespace       string
	ArgoCDNamespace string
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
			// Flags first: a typo must not wait for (or fail on) the cluster.
			if err := o.Validate(); err != nil {
				return err
			}
			if err := o.Complete(cmd, args); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

// Complete fills in the clients and namespaces.
func (o *DiagnoseAppOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Name = args[0]
	var err error
	if o.ArgoCDNamespace, err = o.Root.completeClients(cmd.Context(), &o.Clients); err != nil {
		return err
	}
	o.Namespace = o.Root.appNamespace(o.ArgoCDNamespace)
	return nil
}

// Validate checks the flags.
func (o *DiagnoseAppOptions) Validate() error {
	return o.validate()
}

// Run collects, checks and prints.
func (o *DiagnoseAppOptions) Run(ctx context.Context) error {
	snap, problems, err := diagnose.CollectApp(ctx, o.Clients,
		diagnose.AppTarget{Namespace: o.Namespace, Name: o.Name},
		o.Root.collectOptions(o.ArgoCDNamespace, o.Now(), o.StuckAfter))
	return reportDiagnosis(o.Root, &o.ReportFlags, snap, problems, err)
}

// completeAppNames offers the Applications of the namespace being used.
func completeAppNames(root *RootOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := root.clients()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		ns := root.explicitNamespace()
		if ns == "" {
			if ns, err = root.argoCDNamespace(cmd.Context(), c); err != nil {
				return nil, cobra.ShellCompDirectiveError
			}
		}
		list, err := c.Dynamic.Resource(argocd.ApplicationsResource).Namespace(ns).List(cmd.Context(), metav1.ListOptions{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var names []string
		for _, u := range list.Items {
			names = append(names, u.GetName())
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
