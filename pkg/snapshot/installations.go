package snapshot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// installationSources are the sources that belong to one installation:
// its settings, projects, clusters, controller and workloads, and what is
// read through its repo-server and argocd-server. Another installation's
// view must not inherit them from the first.
var installationSources = []Source{
	Settings, CmdParams, Projects, Clusters, Controller,
	InstallWorkloads, InstallPods, InstallConfig,
	RepoServerSettings, RepoCredentials, AppSets, ArgoCDServer, ControllerWorkloads,
}

// collectOtherInstallations reads, for every installation but the first,
// what its apps are judged against. The settings, projects, clusters and
// controller pods of them all come from one LIST per kind across
// namespaces (acrossNamespaces), so that ten installations cost what one
// does; only the audits of the installations themselves (whole: the
// `diagnose` view) read each namespace.
func collectOtherInstallations(ctx context.Context, c Clients, s *Snapshot, whole bool) error {
	var namespaces []string
	for _, ns := range s.Installations {
		if ns != s.ArgoCDNamespace {
			namespaces = append(namespaces, ns)
		}
	}
	if len(namespaces) == 0 {
		return nil
	}
	shared, err := readAcrossNamespaces(ctx, c)
	if err != nil {
		return err
	}
	others := make([]*Snapshot, len(namespaces))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for i, ns := range namespaces {
		g.Go(func() error {
			other := &Snapshot{Now: s.Now, StuckAfter: s.StuckAfter, ArgoCDNamespace: ns, Read: map[Source]bool{}}
			if err := collectInstallationOf(ctx, c, other, shared, whole); err != nil {
				return err
			}
			others[i] = other
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	s.OtherInstallations = others
	return nil
}

// collectInstallationOf reads one other installation, from shared where
// the list across namespaces was allowed, else in its namespace. A
// malformed argocd-cm there is a read problem of that installation, not
// the end of a diagnosis of the whole cluster: its apps are then judged
// without the checks that need its settings, and the report says so.
func collectInstallationOf(ctx context.Context, c Clients, s *Snapshot, shared *acrossNamespaces, whole bool) error {
	rec := newRecorder()
	var configErr *argocd.ConfigError
	if err := shared.settings(ctx, c, s, rec); errors.As(err, &configErr) {
		rec.failed(ReadProblem{Verb: "decode", Resource: "configmaps", Namespace: s.ArgoCDNamespace, Error: err.Error(), Source: Settings})
		rec.forget(Settings)
	} else if err != nil {
		return err
	}
	for _, read := range []namespaceRead{shared.params, shared.projects, shared.clusters, shared.controller} {
		if err := read(ctx, c, s, rec); err != nil {
			return err
		}
	}
	if whole {
		// The server version is the cluster's: the first installation read it.
		withoutDiscovery := c
		withoutDiscovery.Discovery = nil
		if err := collectInstall(ctx, withoutDiscovery, s, rec); err != nil {
			return err
		}
	}
	rec.fill(s)
	return nil
}

// acrossNamespaces are what every installation needs, each read once for
// all namespaces and filtered to Argo CD's objects by name or label.
type acrossNamespaces struct {
	settings, params, projects, clusters, controller namespaceRead
}

// namespaceRead hands an installation its part of one LIST across
// namespaces, or reads its namespace itself when the list was refused.
type namespaceRead func(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error

// readAcrossNamespaces lists, concurrently, argocd-cm and
// argocd-cmd-params-cm by name, the AppProjects, the cluster Secrets and
// the controller pods by label, across namespaces.
func readAcrossNamespaces(ctx context.Context, c Clients) (*acrossNamespaces, error) {
	var shared acrossNamespaces
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		shared.settings, err = configMapAcross(ctx, c, argocd.ConfigMapName, useSettings, collectSettings)
		return err
	})
	g.Go(func() (err error) {
		shared.params, err = configMapAcross(ctx, c, argocd.CmdParamsConfigMap, useCmdParams, collectCmdParams)
		return err
	})
	g.Go(func() error {
		projects, err := listAll(ctx, c.Dynamic.Resource(argocd.AppProjectsResource).Namespace(metav1.NamespaceAll), metav1.ListOptions{})
		shared.projects = byNamespace(projects, err, func(u unstructured.Unstructured) string { return u.GetNamespace() }, useProjects, collectProjects)
		return refusedOrNil(err)
	})
	g.Go(func() error {
		secrets, err := listClusterSecrets(ctx, c.Kube, metav1.NamespaceAll)
		shared.clusters = byNamespace(secrets, err, func(s corev1.Secret) string { return s.Namespace }, useClusters, collectClusters)
		return refusedOrNil(err)
	})
	g.Go(func() error {
		pods, err := listPods(ctx, c, metav1.NamespaceAll, argocd.ControllerSelector)
		shared.controller = byNamespace(pods, err, func(p corev1.Pod) string { return p.Namespace }, useController, collectController)
		return refusedOrNil(err)
	})
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("read Argo CD installations across namespaces: %w", err)
	}
	return &shared, nil
}

// byNamespace groups the items of a LIST across namespaces; when the list
// was refused, each installation reads its own namespace with perNamespace.
func byNamespace[T any](items []T, err error, namespaceOf func(T) string,
	use func(*Snapshot, []T, error, *recorder) error,
	perNamespace func(context.Context, Clients, *Snapshot, *recorder) error) namespaceRead {
	if err != nil {
		return perNamespace
	}
	grouped := map[string][]T{}
	for _, item := range items {
		grouped[namespaceOf(item)] = append(grouped[namespaceOf(item)], item)
	}
	return func(_ context.Context, _ Clients, s *Snapshot, rec *recorder) error {
		return use(s, grouped[s.ArgoCDNamespace], nil, rec)
	}
}

// configMapAcross lists one of Argo CD's ConfigMaps by name across
// namespaces; an installation without it sees it not found.
func configMapAcross(ctx context.Context, c Clients, name string,
	use func(*Snapshot, *corev1.ConfigMap, error, *recorder) error,
	perNamespace func(context.Context, Clients, *Snapshot, *recorder) error) (namespaceRead, error) {
	list, err := listPaged[corev1.ConfigMap](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return c.Kube.CoreV1().ConfigMaps(metav1.NamespaceAll).List(ctx, opts)
	}, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()})
	if err != nil {
		return perNamespace, refusedOrNil(err)
	}
	return func(_ context.Context, _ Clients, s *Snapshot, rec *recorder) error {
		for i := range list {
			if list[i].Namespace == s.ArgoCDNamespace {
				return use(s, &list[i], nil, rec)
			}
		}
		return use(s, nil, apierrors.NewNotFound(corev1.Resource("configmaps"), name), rec)
	}, nil
}

// refusedOrNil: a refused list falls back to reads per namespace; any
// other error fails the collection.
func refusedOrNil(err error) error {
	if apierrors.IsForbidden(err) {
		return nil
	}
	return err
}

// Views splits a Snapshot of several installations into one Snapshot per
// installation, each holding the apps that installation watches
// (argocd.WatchingInstallation) and its own settings, projects, clusters,
// controller and workloads; everything else (live objects, namespaces,
// pods, every Application) is shared. An app no installation watches
// stays with the first, which reports it unwatched. With one installation
// the view is the Snapshot itself.
func (s *Snapshot) Views() []*Snapshot {
	if len(s.OtherInstallations) == 0 {
		return []*Snapshot{s}
	}
	all := append([]*Snapshot{s}, s.OtherInstallations...)
	installations := make([]argocd.Installation, len(all))
	for i, in := range all {
		installations[i] = argocd.Installation{Namespace: in.ArgoCDNamespace, Settings: in.Settings}
	}
	apps := make([][]argocd.Application, len(all))
	for _, app := range s.Applications {
		i, ok := argocd.WatchingInstallation(app.Namespace, installations)
		if !ok {
			i = 0
		}
		apps[i] = append(apps[i], app)
	}
	views := make([]*Snapshot, len(all))
	for i, in := range all {
		view := *s
		view.OtherInstallations = nil
		if i > 0 {
			view.judgeBy(in)
		}
		view.Applications = apps[i]
		views[i] = &view
	}
	return views
}

// judgeBy replaces, in a copy of the first installation's Snapshot, what
// belongs to the installation other. Its problems are its own: those of
// the shared reads are reported once, by the first view.
func (s *Snapshot) judgeBy(other *Snapshot) {
	s.ArgoCDNamespace, s.ArgoCDNamespaceGuessed = other.ArgoCDNamespace, false
	s.Settings, s.Projects, s.Clusters, s.ControllerPods = other.Settings, other.Projects, other.Clusters, other.ControllerPods
	serverVersion := s.Install.ServerVersion
	s.Install = other.Install
	s.Install.ServerVersion = serverVersion
	s.RepoServer, s.RepoCredentials, s.AppSets, s.ArgoCDServer = nil, nil, nil, nil
	s.Read = maps.Clone(s.Read)
	for _, src := range installationSources {
		delete(s.Read, src)
	}
	maps.Copy(s.Read, other.Read)
	s.Problems = slices.Clone(other.Problems)
}

// HoldsArgoCD tells whether namespace ns holds an Argo CD installation:
// an argocd-cm, an application-controller pod or an AppProject. A
// namespace that does not exist holds none. When the user may read none
// of the three, it cannot tell, and says it holds one: the reads that
// follow will name what was refused.
func HoldsArgoCD(ctx context.Context, c Clients, ns string) (bool, error) {
	refused := 0
	_, err := c.Kube.CoreV1().ConfigMaps(ns).Get(ctx, argocd.ConfigMapName, metav1.GetOptions{})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsForbidden(err):
		refused++
	case !apierrors.IsNotFound(err):
		return false, fmt.Errorf("look for argocd-cm in %q: %w", ns, err)
	}
	pods, err := c.Kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: argocd.ControllerSelector, Limit: 1})
	switch {
	case err == nil && len(pods.Items) > 0:
		return true, nil
	case apierrors.IsForbidden(err):
		refused++
	}
	projects, err := c.Dynamic.Resource(argocd.AppProjectsResource).Namespace(ns).List(ctx, metav1.ListOptions{Limit: 1})
	switch {
	case err == nil && len(projects.Items) > 0:
		return true, nil
	case apierrors.IsNotFound(err):
		// AppProjects are not served: Argo CD's CRDs are not installed.
		return false, &NotInstalledError{}
	case apierrors.IsForbidden(err):
		refused++
	}
	return refused == 3, nil
}

// FindInstallations lists the namespaces that hold an Argo CD
// installation, by their argocd-cm and application-controller pods, as far
// as the user may list them cluster-wide. controllers, when not nil, are
// the controller pods already listed across namespaces. refused is the
// first of the two lists that was not allowed: the installations found
// may then be only some of them.
func FindInstallations(ctx context.Context, c Clients, controllers []corev1.Pod) (found []string, refused error) {
	add := func(ns string) {
		if !slices.Contains(found, ns) {
			found = append(found, ns)
		}
	}
	cms, err := c.Kube.CoreV1().ConfigMaps(metav1.NamespaceAll).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", argocd.ConfigMapName).String()})
	if err == nil {
		for _, cm := range cms.Items {
			add(cm.Namespace)
		}
	} else {
		refused = err
	}
	if controllers == nil {
		pods, err := c.Kube.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{LabelSelector: argocd.ControllerSelector})
		if err != nil && refused == nil {
			refused = err
		}
		if err == nil {
			controllers = pods.Items
		}
	}
	for _, p := range controllers {
		add(p.Namespace)
	}
	slices.Sort(found)
	return found, refused
}

// NoInstallationError says a namespace named as the Argo CD namespace
// holds no Argo CD, with the namespaces that do.
type NoInstallationError struct {
	Namespace string
	Found     []string
}

func (e *NoInstallationError) Error() string {
	found := "none found where you may look"
	if len(e.Found) > 0 {
		found = "found: " + strings.Join(e.Found, ", ")
	}
	return fmt.Sprintf("no Argo CD installation in namespace %s (no argocd-cm, no application-controller pod, no AppProject); %s: pass --argocd-namespace", e.Namespace, found)
}

// AppNamespaces lists the namespaces that hold an Application called
// name, with one LIST across namespaces (a field selector on the name);
// nil when the user may not list Applications cluster-wide.
func AppNamespaces(ctx context.Context, c Clients, name string) []string {
	list, err := c.Dynamic.Resource(argocd.ApplicationsResource).Namespace(metav1.NamespaceAll).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()})
	if err != nil {
		return nil
	}
	var out []string
	for _, u := range list.Items {
		out = append(out, u.GetNamespace())
	}
	slices.Sort(out)
	return out
}

// InstallationWatching returns, among the installations found, the one
// whose controller watches Applications in namespace ns
// (argocd.WatchingInstallation), reading the argocd-cmd-params-cm of each
// unless one lives in ns. An unreadable one counts as watching only its
// own namespace, and refused says why: then "none watches ns" is not
// known.
func InstallationWatching(ctx context.Context, c Clients, ns string, installations []string) (watcher string, ok bool, refused error) {
	if slices.Contains(installations, ns) {
		return ns, true, nil
	}
	candidates := make([]argocd.Installation, 0, len(installations))
	for _, in := range installations {
		var settings argocd.Settings
		params, err := c.Kube.CoreV1().ConfigMaps(in).Get(ctx, argocd.CmdParamsConfigMap, metav1.GetOptions{})
		switch {
		case err == nil:
			settings.ReadCmdParams(params)
		case !apierrors.IsNotFound(err) && refused == nil:
			refused = fmt.Errorf("get ConfigMap %s/%s: %w", in, argocd.CmdParamsConfigMap, err)
		}
		candidates = append(candidates, argocd.Installation{Namespace: in, Settings: settings})
	}
	i, ok := argocd.WatchingInstallation(ns, candidates)
	if !ok {
		return "", false, refused
	}
	return candidates[i].Namespace, true, refused
}
