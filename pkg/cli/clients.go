package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	_ "k8s.io/client-go/plugin/pkg/client/auth" // exec and OIDC kubeconfigs
	"k8s.io/client-go/rest"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// Reads run concurrently; client-go's default of 5 QPS would serialise them.
const (
	clientQPS   = 50
	clientBurst = 100
)

// requireKubeconfig says plainly that there is no kubeconfig, rather than
// letting client-go fall back to localhost:8080 and fail to connect there.
// A pod's in-cluster credentials and an explicit --server count as one.
func (o *RootOptions) requireKubeconfig() error {
	if o.Getenv("KUBERNETES_SERVICE_HOST") != "" || o.ConfigFlags.APIServer != nil && *o.ConfigFlags.APIServer != "" {
		return nil
	}
	raw, err := o.ConfigFlags.ToRawKubeConfigLoader().RawConfig()
	if err == nil && len(raw.Contexts) == 0 && len(raw.Clusters) == 0 {
		return &ExitError{Code: ExitUnreadable, Err: fmt.Errorf(
			"no kubeconfig found: set KUBECONFIG or pass --kubeconfig (and --context), as for kubectl")}
	}
	return nil
}

// DefaultArgoCDNamespace is used when no controller can be found.
const DefaultArgoCDNamespace = "argocd"

// clients builds the API clients from the kubeconfig flags.
func (o *RootOptions) clients() (snapshot.Clients, error) {
	if err := o.requireKubeconfig(); err != nil {
		return snapshot.Clients{}, err
	}
	cfg, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return snapshot.Clients{}, badInput("load kubeconfig: %w", err)
	}
	cfg.QPS, cfg.Burst = clientQPS, clientBurst
	// Listing every kind of a namespace touches deprecated APIs (v1
	// Endpoints); their warnings would only clutter the report.
	cfg.WarningHandler = rest.NoWarnings{}
	o.countRequests(cfg)
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return snapshot.Clients{}, badInput("create Kubernetes client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return snapshot.Clients{}, badInput("create dynamic client: %w", err)
	}
	mapper, err := o.ConfigFlags.ToRESTMapper()
	if err != nil {
		return snapshot.Clients{}, badInput("create REST mapper: %w", err)
	}
	// Uncached: a stuck namespace needs today's view of which API groups
	// fail, and the disk cache would hide a group that went unavailable.
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return snapshot.Clients{}, badInput("create discovery client: %w", err)
	}
	return snapshot.Clients{Kube: kube, Dynamic: dyn, Mapper: mapper, Discovery: disco}, nil
}

// argoCD is the Argo CD installation a command works on.
type argoCD struct {
	Namespace string
	// Guessed: no controller was found and Namespace is only the default,
	// so that an empty namespace is not taken for an installation without
	// projects.
	Guessed bool
	// Chosen: the user named it (--argocd-namespace, or the namespace of
	// argocd's own context), so no other installation is looked for.
	Chosen bool
	// Installations are the namespaces of every installation found, when
	// they were looked for, and InstallationsRefused why some may be
	// missing (the user may not list them across namespaces).
	Installations        []string
	InstallationsRefused error
	// controllers are the application-controller pods of every namespace,
	// when the search for the installation listed them (else nil): the
	// collector need not list them again.
	controllers []corev1.Pod
}

// moveTo returns a moved to the installation in namespace ns, keeping
// what was learnt while looking for it.
func (a argoCD) moveTo(ns string) argoCD {
	a.Namespace, a.Guessed = ns, false
	return a
}

// argoCDNamespace returns --argocd-namespace, or (run as `argocd argofix`)
// what an argocd user expects, or the namespace where the
// application-controller runs, or "argocd" as a guess.
func (o *RootOptions) argoCDNamespace(ctx context.Context, c snapshot.Clients) (argoCD, error) {
	if o.ArgoCDNamespace != "" {
		return argoCD{Namespace: o.ArgoCDNamespace, Chosen: true}, nil
	}
	if o.asArgoCDPlugin() {
		if ns, ok := o.argoCDPluginNamespace(ctx, c); ok {
			return argoCD{Namespace: ns, Chosen: true}, nil
		}
	}
	// Every controller pod (a few per installation), not one: the
	// collector then need not list them again.
	pods, err := c.Kube.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{LabelSelector: argocd.ControllerSelector})
	switch {
	case apierrors.IsForbidden(err):
		// Users without cluster-wide pod access still get the default.
	case err != nil:
		return argoCD{}, explainReadError(fmt.Errorf("look for the Argo CD application-controller: %w", err), o.kubeContext())
	case len(pods.Items) > 0:
		// Several installations: the default namespace when it is one of
		// them, else the first by name, as the API lists them.
		ns := pods.Items[0].Namespace
		if slices.ContainsFunc(pods.Items, func(p corev1.Pod) bool { return p.Namespace == DefaultArgoCDNamespace }) {
			ns = DefaultArgoCDNamespace
		}
		return argoCD{Namespace: ns, controllers: pods.Items}, nil
	default:
		return argoCD{Namespace: DefaultArgoCDNamespace, Guessed: true, controllers: []corev1.Pod{}}, nil
	}
	return argoCD{Namespace: DefaultArgoCDNamespace, Guessed: true}, nil
}

// checkArgoCD refuses an --argocd-namespace that holds no Argo CD: every
// project would look missing there, and a create-project fix would create
// objects in the wrong place. A namespace found by discovery needs no
// check, and a guess is reported as a read problem instead.
func (o *RootOptions) checkArgoCD(ctx context.Context, c snapshot.Clients, a argoCD) error {
	if o.ArgoCDNamespace == "" || a.Guessed {
		return nil
	}
	ok, err := snapshot.HoldsArgoCD(ctx, c, a.Namespace)
	if err != nil {
		return explainReadError(err, o.kubeContext())
	}
	if ok {
		return nil
	}
	found, _ := snapshot.FindInstallations(ctx, c, a.controllers)
	return &ExitError{Code: ExitUnreadable, Err: &snapshot.NoInstallationError{Namespace: a.Namespace, Found: found}}
}

// collectOptions are what every diagnose command passes to the collector.
// The controller pods listed while looking for the installation serve the
// first collection only: a fix's re-check before it writes must see the
// pods as they are then.
func (a *argoCD) collectOptions(now time.Time, stuckAfter time.Duration) snapshot.CollectOptions {
	opts := snapshot.CollectOptions{ArgoCDNamespace: a.Namespace, ArgoCDNamespaceGuessed: a.Guessed, Installations: a.Installations,
		InstallationsRefused: a.InstallationsRefused, Now: now, StuckAfter: stuckAfter}
	if a.controllers != nil {
		opts.ControllerPods = []corev1.Pod{}
		for _, p := range a.controllers {
			if p.Namespace == a.Namespace {
				opts.ControllerPods = append(opts.ControllerPods, p)
			}
		}
		a.controllers = nil
	}
	return opts
}

// completeClients fills in clients unless a test injected them, and
// resolves the Argo CD installation: what every command's Complete needs.
func (o *RootOptions) completeClients(ctx context.Context, c *snapshot.Clients) (argoCD, error) {
	if c.Dynamic == nil {
		var err error
		if *c, err = o.clients(); err != nil {
			return argoCD{}, err
		}
	}
	return o.argoCDNamespace(ctx, *c)
}

// appNamespace is where Applications are looked up: -n when given, else
// the Argo CD namespace.
func (o *RootOptions) appNamespace(a argoCD) string {
	if ns := o.explicitNamespace(); ns != "" {
		return ns
	}
	return a.Namespace
}

// completeApp is what `diagnose app` and `fix app` resolve before they
// run: the clients, the app's namespace, and the Argo CD it is judged
// against, which must hold one.
func (o *RootOptions) completeApp(ctx context.Context, c *snapshot.Clients, name string) (string, argoCD, error) {
	a, err := o.completeClients(ctx, c)
	if err != nil {
		return "", a, err
	}
	ns, err := o.locateApp(ctx, *c, name, a)
	if err != nil {
		return "", a, err
	}
	a = o.watching(ctx, *c, ns, a)
	return ns, a, o.checkArgoCD(ctx, *c, a)
}

// locateApp finds where an app named without -n lives, for `diagnose app`
// and `fix app`: in the Argo CD namespace when it is there, else in the
// one namespace that holds an app of that name. Several namespaces are
// ambiguous: bad input that lists them. -n is taken as given, and an app
// that cannot be searched for is looked up in the Argo CD namespace.
func (o *RootOptions) locateApp(ctx context.Context, c snapshot.Clients, name string, a argoCD) (string, error) {
	if ns := o.explicitNamespace(); ns != "" {
		return ns, nil
	}
	found := snapshot.AppNamespaces(ctx, c, name)
	if len(found) == 0 || slices.Contains(found, a.Namespace) {
		return a.Namespace, nil
	}
	if len(found) > 1 {
		return "", badInput("Applications called %q exist in namespaces %s: say which with -n", name, strings.Join(found, ", "))
	}
	return found[0], nil
}

// watching returns the installation whose controller watches
// Applications in namespace ns, which apps there are judged against (and
// a fix writes to): a itself when the user chose it or ns is its own
// namespace, else the installation found in ns or whose
// application.namespaces matches ns. When none does, a stays, and the
// diagnosis reports the app unwatched, naming every installation found.
func (o *RootOptions) watching(ctx context.Context, c snapshot.Clients, ns string, a argoCD) argoCD {
	if a.Chosen || ns == a.Namespace {
		return a
	}
	a.Installations, a.InstallationsRefused = snapshot.FindInstallations(ctx, c, a.controllers)
	if a.InstallationsRefused != nil && !slices.Contains(a.Installations, ns) {
		// Not allowed to look across namespaces: ns itself may still hold one.
		if holds, err := snapshot.HoldsArgoCD(ctx, c, ns); err == nil && holds {
			return a.moveTo(ns)
		}
	}
	watcher, ok, refused := snapshot.InstallationWatching(ctx, c, ns, a.Installations)
	if ok && watcher != a.Namespace {
		return a.moveTo(watcher)
	}
	if !ok && refused != nil && a.InstallationsRefused == nil {
		a.InstallationsRefused = refused // an unread installation may watch ns: no app is called unwatched
	}
	return a
}

// appScope resolves, for a command over the apps of one namespace or,
// with allNamespaces, of every namespace, the installations they are
// judged against and the namespace they are listed in.
func (o *RootOptions) appScope(ctx context.Context, c snapshot.Clients, a argoCD, allNamespaces bool) (argoCD, string) {
	if allNamespaces {
		a = o.everyInstallation(ctx, c, a)
		return a, o.appNamespace(a)
	}
	ns := o.appNamespace(a)
	return o.watching(ctx, c, ns, a), ns
}

// everyInstallation returns a with every installation of the cluster,
// for a diagnosis of every namespace, which judges each app against the
// one that watches it. A guessed namespace gives way to the first
// installation found.
func (o *RootOptions) everyInstallation(ctx context.Context, c snapshot.Clients, a argoCD) argoCD {
	if a.Chosen {
		return a
	}
	found, refused := snapshot.FindInstallations(ctx, c, a.controllers)
	a.InstallationsRefused = refused
	if len(found) == 0 {
		return a
	}
	if slices.Contains(found, a.Namespace) {
		a.Guessed = false // the namespace guessed holds one
	} else {
		a = a.moveTo(found[0])
	}
	a.Installations = found
	return a
}

// validateCompleteRun runs kubectl's three steps in the order every command
// needs: flags are checked before Complete, which contacts the cluster, so
// that a typo is bad input at once, not a wait for (or an error from) an
// unreachable cluster.
func validateCompleteRun(validate, complete, run func() error) error {
	if err := validate(); err != nil {
		return err
	}
	if err := complete(); err != nil {
		return err
	}
	return run()
}
