package snapshot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

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
