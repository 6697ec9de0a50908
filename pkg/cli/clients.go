package cli

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	_ "k8s.io/client-go/plugin/pkg/client/auth" // exec and OIDC kubeconfigs
	"k8s.io/client-go/rest"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
)

// Reads run concurrently; client-go's default of 5 QPS would serialise them.
const (
	clientQPS   = 50
	clientBurst = 100
)

// DefaultArgoCDNamespace is used when no controller can be found.
const DefaultArgoCDNamespace = "argocd"

// clients builds the API clients from the kubeconfig flags.
func (o *RootOptions) clients() (diagnose.Clients, error) {
	cfg, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return diagnose.Clients{}, badInput("load kubeconfig: %w", err)
	}
	cfg.QPS, cfg.Burst = clientQPS, clientBurst
	// Listing every kind of a namespace touches deprecated APIs (v1
	// Endpoints); their warnings would only clutter the report.
	cfg.WarningHandler = rest.NoWarnings{}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return diagnose.Clients{}, badInput("create Kubernetes client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return diagnose.Clients{}, badInput("create dynamic client: %w", err)
	}
	mapper, err := o.ConfigFlags.ToRESTMapper()
	if err != nil {
		return diagnose.Clients{}, badInput("create REST mapper: %w", err)
	}
	// Uncached: a stuck namespace needs today's view of which API groups
	// fail, and the disk cache would hide a group that went unavailable.
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return diagnose.Clients{}, badInput("create discovery client: %w", err)
	}
	return diagnose.Clients{Kube: kube, Dynamic: dyn, Mapper: mapper, Discovery: disco}, nil
}

// argoCDNamespace returns --argocd-namespace, or the namespace where the
// application-controller runs, or "argocd" (then noted as a guess, so that
// an empty namespace is not taken for an installation without projects).
func (o *RootOptions) argoCDNamespace(ctx context.Context, c diagnose.Clients) (string, error) {
	if o.ArgoCDNamespace != "" {
		return o.ArgoCDNamespace, nil
	}
	pods, err := c.Kube.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{LabelSelector: diagnose.ControllerSelector, Limit: 1})
	switch {
	case apierrors.IsForbidden(err):
		// Users without cluster-wide pod access still get the default.
	case err != nil:
		return "", explainReadError(fmt.Errorf("look for the Argo CD application-controller: %w", err), o.kubeContext())
	case len(pods.Items) > 0:
		return pods.Items[0].Namespace, nil
	}
	o.argoCDNamespaceGuessed = true
	return DefaultArgoCDNamespace, nil
}

// collectOptions are what every diagnose command passes to the collector.
func (o *RootOptions) collectOptions(argoCDNamespace string, now time.Time, stuckAfter time.Duration) diagnose.CollectOptions {
	return diagnose.CollectOptions{ArgoCDNamespace: argoCDNamespace, ArgoCDNamespaceGuessed: o.argoCDNamespaceGuessed, Now: now, StuckAfter: stuckAfter}
}

// completeClients fills in clients unless a test injected them, and
// resolves the Argo CD namespace: what every command's Complete needs.
func (o *RootOptions) completeClients(ctx context.Context, c *diagnose.Clients) (argoCDNamespace string, err error) {
	if c.Dynamic == nil {
		if *c, err = o.clients(); err != nil {
			return "", err
		}
	}
	return o.argoCDNamespace(ctx, *c)
}

// appNamespace is where Applications are looked up: -n when given, else
// the Argo CD namespace.
func (o *RootOptions) appNamespace(argoCDNamespace string) string {
	if ns := o.explicitNamespace(); ns != "" {
		return ns
	}
	return argoCDNamespace
}
