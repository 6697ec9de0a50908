package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// DiagnoseAppsOptions holds what `kubectl argofix diagnose apps` and the
// bare `kubectl argofix diagnose` need to run.
type DiagnoseAppsOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	Now     func() time.Time
	ReportFlags

	AllNamespaces bool
	Selector      string
	Project       string
	WholeCluster  bool
	Namespace     string
	ArgoCD        argoCD
	// ArgoCDServer is read only when --argocd-server is given.
	ArgoCDServer ServerFlags
}

// NewCmdDiagnoseApps builds `kubectl argofix diagnose apps`.
func NewCmdDiagnoseApps(root *RootOptions) *cobra.Command {
	o := &DiagnoseAppsOptions{Root: root, Now: time.Now}
	cmd := &cobra.Command{
		Use:     "apps",
		Aliases: []string{"applications"},
		Short:   "Diagnose every Application of the Argo CD namespace, or of all namespaces with -A",
		Example: `  kubectl argofix diagnose apps
  kubectl argofix diagnose apps -A -l team=payments --project payments -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd) },
	}
	o.addFlags(cmd)
	return cmd
}

func (o *DiagnoseAppsOptions) addFlags(cmd *cobra.Command) {
	o.ReportFlags.addFlags(cmd)
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Applications of every namespace (apps in any namespace)")
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", "", "only Applications matching this label selector")
	cmd.Flags().StringVar(&o.Project, "project", "", "only Applications of this AppProject")
	o.ArgoCDServer.explicitOnly = true
	o.ArgoCDServer.addFlags(cmd)
}

// run is Validate, Complete and Run, for RunE.
func (o *DiagnoseAppsOptions) run(cmd *cobra.Command) error {
	return validateCompleteRun(o.Validate, func() error { return o.Complete(cmd) }, func() error { return o.Run(cmd.Context()) })
}

// Complete fills in the clients and namespaces.
func (o *DiagnoseAppsOptions) Complete(cmd *cobra.Command) error {
	var err error
	if o.ArgoCD, err = o.Root.completeClients(cmd.Context(), &o.Clients); err != nil {
		return err
	}
	o.ArgoCD, o.Namespace = o.Root.appScope(cmd.Context(), o.Clients, o.ArgoCD, o.AllNamespaces)
	if err := o.ArgoCDServer.complete(o.Root); err != nil {
		return err
	}
	if o.WholeCluster {
		return nil // a whole-cluster view reports a missing installation as a read problem
	}
	return o.Root.checkArgoCD(cmd.Context(), o.Clients, o.ArgoCD)
}

// Validate checks the flags.
func (o *DiagnoseAppsOptions) Validate() error {
	if o.AllNamespaces && o.Root.explicitNamespace() != "" {
		return badInput("-A and -n cannot be used together: -A already covers every namespace")
	}
	if _, err := labels.Parse(o.Selector); err != nil {
		return badInput("invalid label selector %q: %v", o.Selector, err)
	}
	return o.validate()
}

// Run collects, checks and prints.
func (o *DiagnoseAppsOptions) Run(ctx context.Context) error {
	snap, err := snapshot.CollectApps(ctx, o.Clients, snapshot.AppSelector{
		Namespace: o.Namespace, AllNamespaces: o.AllNamespaces, Selector: o.Selector, Project: o.Project, WholeCluster: o.WholeCluster,
	}, o.ArgoCD.collectOptions(o.Now(), o.StuckAfter))
	snap, err = o.ArgoCDServer.collectServer(ctx, o.Clients, snap, err)
	var nothingMatched string
	if err == nil && !o.WholeCluster && len(snap.Applications) == 0 {
		nothingMatched = o.noMatch()
		fmt.Fprintln(o.Root.Streams.ErrOut, "warning: "+nothingMatched)
	}
	return reportDiagnosis(o.Root, &o.ReportFlags, snap, err, nothingMatched)
}

// noMatch says what selected nothing.
func (o *DiagnoseAppsOptions) noMatch() string {
	where := "in namespace " + o.Namespace
	if o.AllNamespaces {
		where = "in any namespace"
	}
	msg := "No Application " + where
	if o.Selector != "" {
		msg += " matches -l " + o.Selector
	}
	if o.Project != "" {
		msg += " with --project " + o.Project
	}
	return msg + ": nothing was diagnosed (is the namespace, selector or project right?)"
}
