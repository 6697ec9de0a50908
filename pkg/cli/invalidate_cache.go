package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/fixes"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// InvalidateCacheOptions holds what `kubectl argofix invalidate-cache` needs.
type InvalidateCacheOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	Now     func() time.Time
	ChangeFlags

	Cluster string
	ArgoCD  argoCD
}

// NewCmdInvalidateCache builds `kubectl argofix invalidate-cache [CLUSTER]`.
func NewCmdInvalidateCache(root *RootOptions) *cobra.Command {
	o := &InvalidateCacheOptions{Root: root, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "invalidate-cache [CLUSTER]",
		Short: "Make the application-controller drop and rebuild its cache of a cluster",
		Long: `Sets the argocd.argoproj.io/refresh annotation, with the current time, on the
cluster Secret of CLUSTER (its server URL or name; every registered cluster
without CLUSTER): that is all Argo CD's own "invalidate cache" does. The
in-cluster destination has no Secret unless one was created: then restarting
the application-controller is the way, and argofix says so rather than
creating a Secret behind your back.`,
		Example: `  kubectl argofix invalidate-cache https://prod.example.com
  kubectl argofix invalidate-cache --dry-run=server`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateCompleteRun(o.validate, func() error { return o.Complete(cmd, args) }, func() error { return o.Run(cmd.Context()) })
		},
	}
	o.addFlags(cmd, root.Getenv)
	return cmd
}

// Complete fills in the clients and the Argo CD namespace.
func (o *InvalidateCacheOptions) Complete(cmd *cobra.Command, args []string) error {
	if len(args) == 1 {
		o.Cluster = args[0]
	}
	var err error
	o.ArgoCD, err = o.Root.completeClients(cmd.Context(), &o.Clients)
	return err
}

// Run annotates the matching cluster Secrets through the guarded path.
func (o *InvalidateCacheOptions) Run(ctx context.Context) error {
	clusters, err := snapshot.ClusterSecrets(ctx, o.Clients, o.ArgoCD.Namespace)
	if err != nil {
		return explainReadError(err, o.Root.kubeContext())
	}
	now := o.Now()
	var plan fixes.Plan
	inClusterSecret := false
	var names []string
	for _, c := range clusters {
		names = append(names, c.Server)
		if argocd.SameServer(c.Server, argocd.InClusterServer) {
			inClusterSecret = true
		}
		if o.Cluster != "" && !argocd.SameServer(c.Server, o.Cluster) && c.Name != o.Cluster {
			continue
		}
		ref := report.ObjectRef{Kind: "Secret", Namespace: c.SecretNamespace, Name: c.SecretName}
		fix := diagnose.InvalidateCacheFix(c, now)
		plan.Steps = append(plan.Steps, fixes.Step{Object: ref, Fix: fix})
	}
	wantsInCluster := o.Cluster == "" || o.Cluster == argocd.InClusterName || argocd.SameServer(o.Cluster, argocd.InClusterServer)
	if wantsInCluster && !inClusterSecret {
		fmt.Fprintf(o.Root.Streams.Out, "The in-cluster destination has no cluster Secret, so it has no cache to invalidate through the API: restart the application-controller instead:\n  kubectl -n %s rollout restart statefulset argocd-application-controller\n", o.ArgoCD.Namespace)
	}
	if len(plan.Steps) == 0 && o.Cluster != "" && !wantsInCluster {
		return badInput("no cluster Secret in namespace %s has server or name %q; registered: %v", o.ArgoCD.Namespace, o.Cluster, names)
	}
	if len(plan.Steps) == 0 {
		return nil
	}
	return o.Root.applyPlan(ctx, o.Root.applier(o.Clients, &o.ChangeFlags), plan, nil)
}
