package snapshot

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/pager"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/suggest"
)

// Clients are the API clients the collector reads through.
type Clients struct {
	Dynamic dynamic.Interface
	Kube    kubernetes.Interface
	// Mapper resolves the kinds in status.resources to API resources.
	Mapper meta.RESTMapper
	// Discovery finds every namespaced kind left in a Terminating namespace.
	Discovery discovery.DiscoveryInterface
}

// AppTarget selects one Application.
type AppTarget struct {
	Namespace string
	Name      string
}

// CollectOptions say what to read and how to judge it.
type CollectOptions struct {
	ArgoCDNamespace string
	// ArgoCDNamespaceGuessed: no controller was found and ArgoCDNamespace
	// is only the default; if it holds no Argo CD either, the projects
	// count as unread instead of every project looking missing.
	ArgoCDNamespaceGuessed bool
	Now                    time.Time
	StuckAfter             time.Duration
	// Installations are the namespaces of every Argo CD installation
	// found. A diagnosis of every namespace judges each app against the
	// one that watches it; ArgoCDNamespace is the first.
	Installations []string
	// InstallationsRefused says why other installations could not be
	// looked for: an app outside the first one's namespace may be judged
	// against the wrong one, and is never called unwatched.
	InstallationsRefused error
	// ControllerPods, when not nil, are the application-controller pods of
	// ArgoCDNamespace as already listed (looking for the installation):
	// they are not listed again.
	ControllerPods []corev1.Pod
}

// newSnapshot starts a Snapshot with what the options say.
func (o CollectOptions) newSnapshot() *Snapshot {
	s := &Snapshot{Now: o.Now, StuckAfter: o.StuckAfter, ArgoCDNamespace: o.ArgoCDNamespace,
		ArgoCDNamespaceGuessed: o.ArgoCDNamespaceGuessed, Installations: o.Installations, Read: map[Source]bool{}}
	if o.InstallationsRefused != nil {
		s.Problems = append(s.Problems, ReadProblem{Verb: "list", Resource: "configmaps and pods (Argo CD installations)",
			Error: o.InstallationsRefused.Error(), Source: OtherInstallations})
	} else {
		s.Read[OtherInstallations] = true
	}
	if o.ControllerPods != nil {
		s.ControllerPods = o.ControllerPods
		s.Read[Controller] = true
	}
	return s
}

// listPageSize bounds each LIST response; big installations page through.
const listPageSize = 500

// CollectApp reads one Application and what its checks need: its project
// list, the cluster Secrets and argocd-cm. Reads that are forbidden become
// ReadProblems; the app itself must be readable.
func CollectApp(ctx context.Context, c Clients, target AppTarget, opts CollectOptions) (*Snapshot, error) {
	app, err := GetApp(ctx, c, target)
	if err != nil {
		return nil, err
	}
	s := opts.newSnapshot()
	s.Applications = []argocd.Application{app}
	s.AllApplications = s.Applications
	s.Named = true
	if err := collectAround(ctx, c, s, false, newRecorder()); err != nil {
		return nil, err
	}
	return s, nil
}

// collectInstallation reads what every check shares, concurrently:
// argocd-cm, argocd-cmd-params-cm, projects and cluster Secrets of the
// control namespace. Then a guessed namespace is judged by what it held.
func collectInstallation(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, read := range []func(context.Context, Clients, *Snapshot, *recorder) error{
		collectConfigMaps, collectProjects, collectClusters,
	} {
		g.Go(func() error { return read(ctx, c, s, rec) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	judgeGuessedNamespace(s, rec)
	return nil
}

// judgeGuessedNamespace: with the namespace only guessed (no controller
// found) and no sign of Argo CD in it, neither argocd-cm nor an
// AppProject, the projects count as unread: otherwise every project
// would look missing.
func judgeGuessedNamespace(s *Snapshot, rec *recorder) {
	if !s.ArgoCDNamespaceGuessed || s.Settings.Found || len(s.Projects) > 0 || !rec.has(Projects) {
		return
	}
	rec.forget(Projects)
	rec.failed(ReadProblem{Verb: "find", Resource: "Argo CD installation", Namespace: s.ArgoCDNamespace, Source: Projects,
		Error: fmt.Sprintf("no argocd-application-controller pod was found, and namespace %q (the default) has neither argocd-cm nor an AppProject: pass --argocd-namespace", s.ArgoCDNamespace)})
}

// collectConfigMaps reads argocd-cm and argocd-cmd-params-cm with one LIST
// of the control namespace's ConfigMaps (a handful). A user allowed to get
// them by name but not to list (RBAC resourceNames) gets them one by one.
func collectConfigMaps(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	ns := s.ArgoCDNamespace
	cms, err := listPaged[corev1.ConfigMap](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return c.Kube.CoreV1().ConfigMaps(ns).List(ctx, opts)
	}, metav1.ListOptions{})
	if apierrors.IsForbidden(err) {
		if err := collectSettings(ctx, c, s, rec); err != nil {
			return err
		}
		return collectCmdParams(ctx, c, s, rec)
	}
	if err != nil {
		return fmt.Errorf("list ConfigMaps in %q: %w", ns, err)
	}
	named := func(name string) (*corev1.ConfigMap, error) {
		for i := range cms {
			if cms[i].Name == name {
				return &cms[i], nil
			}
		}
		return nil, apierrors.NewNotFound(corev1.Resource("configmaps"), name)
	}
	settings, err := named(argocd.ConfigMapName)
	if err := useSettings(s, settings, err, rec); err != nil {
		return err
	}
	params, err := named(argocd.CmdParamsConfigMap)
	return useCmdParams(s, params, err, rec)
}

// collectSettings reads argocd-cm into s.Settings; without it (missing or
// forbidden) Argo CD's defaults apply.
func collectSettings(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	cm, err := c.Kube.CoreV1().ConfigMaps(s.ArgoCDNamespace).Get(ctx, argocd.ConfigMapName, metav1.GetOptions{})
	return useSettings(s, cm, err, rec)
}

// useSettings takes the result of reading argocd-cm.
func useSettings(s *Snapshot, cm *corev1.ConfigMap, err error, rec *recorder) error {
	ns := s.ArgoCDNamespace
	switch {
	case apierrors.IsNotFound(err):
		cm = nil
		rec.done(Settings)
	case apierrors.IsForbidden(err):
		rec.failed(ReadProblem{Verb: "get", Resource: "configmaps", Namespace: ns, Error: err.Error(), Source: Settings})
		cm = nil
	case err != nil:
		return fmt.Errorf("get ConfigMap %s/%s: %w", ns, argocd.ConfigMapName, err)
	default:
		rec.done(Settings)
	}
	s.Settings, err = argocd.SettingsFromConfigMap(cm)
	return err
}

// collectCmdParams adds argocd-cmd-params-cm to s.Settings: the namespaces
// besides the control namespace whose Applications are reconciled.
func collectCmdParams(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	params, err := c.Kube.CoreV1().ConfigMaps(s.ArgoCDNamespace).Get(ctx, argocd.CmdParamsConfigMap, metav1.GetOptions{})
	return useCmdParams(s, params, err, rec)
}

// useCmdParams takes the result of reading argocd-cmd-params-cm.
func useCmdParams(s *Snapshot, params *corev1.ConfigMap, err error, rec *recorder) error {
	ns := s.ArgoCDNamespace
	switch {
	case apierrors.IsForbidden(err):
		rec.failed(ReadProblem{Verb: "get", Resource: "configmaps", Namespace: ns, Error: err.Error(), Source: CmdParams})
	case apierrors.IsNotFound(err):
		// Without it only the control namespace is watched, Argo CD's default.
		rec.done(CmdParams)
	case err != nil:
		return fmt.Errorf("get ConfigMap %s/%s: %w", ns, argocd.CmdParamsConfigMap, err)
	default:
		rec.done(CmdParams)
		s.Settings.ReadCmdParams(params)
	}
	return nil
}

// collectProjects lists the AppProjects of the control namespace (a
// guessed namespace is judged after, by judgeGuessedNamespace).
func collectProjects(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	projects, err := listAll(ctx, c.Dynamic.Resource(argocd.AppProjectsResource).Namespace(s.ArgoCDNamespace), metav1.ListOptions{})
	return useProjects(s, projects, err, rec)
}

// useProjects takes the result of listing the AppProjects.
func useProjects(s *Snapshot, projects []unstructured.Unstructured, err error, rec *recorder) error {
	ns := s.ArgoCDNamespace
	switch {
	case apierrors.IsForbidden(err):
		rec.failed(ReadProblem{Verb: "list", Resource: "appprojects.argoproj.io", Namespace: ns, Error: err.Error(), Source: Projects})
		return nil
	case err != nil:
		return fmt.Errorf("list AppProjects in %q: %w", ns, err)
	}
	for i := range projects {
		s.Projects = append(s.Projects, decodeProject(&projects[i], rec))
	}
	rec.done(Projects)
	return nil
}

// decodeProject decodes one AppProject. One that does not decode is kept
// by name, deletion and finalizers: the project exists, whatever its spec
// holds.
func decodeProject(u *unstructured.Unstructured, rec *recorder) argocd.AppProject {
	p, err := argocd.DecodeAppProject(u)
	if err == nil {
		return p
	}
	rec.failed(ReadProblem{Verb: "decode", Resource: "appprojects.argoproj.io", Namespace: u.GetNamespace(), Error: err.Error()})
	p = argocd.AppProject{}
	p.Name, p.Namespace = u.GetName(), u.GetNamespace()
	p.DeletionTimestamp, p.Finalizers = u.GetDeletionTimestamp(), u.GetFinalizers()
	return p
}

// collectClusters reads the cluster Secrets of the control namespace into
// s.Clusters.
func collectClusters(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	secrets, err := listClusterSecrets(ctx, c.Kube, s.ArgoCDNamespace)
	return useClusters(s, secrets, err, rec)
}

// useClusters takes the result of listing the cluster Secrets.
func useClusters(s *Snapshot, secrets []corev1.Secret, err error, rec *recorder) error {
	ns := s.ArgoCDNamespace
	switch {
	case apierrors.IsForbidden(err):
		rec.failed(ReadProblem{Verb: "list", Resource: "secrets", Namespace: ns, Error: err.Error(), Source: Clusters})
		return nil
	case err != nil:
		return fmt.Errorf("list cluster Secrets in %q: %w", ns, err)
	}
	rec.done(Clusters)
	for i := range secrets {
		if cl, ok := argocd.ClusterFromSecret(&secrets[i]); ok {
			s.Clusters = append(s.Clusters, cl)
		}
	}
	return nil
}

func listClusterSecrets(ctx context.Context, kube kubernetes.Interface, ns string) ([]corev1.Secret, error) {
	return listPaged[corev1.Secret](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return kube.CoreV1().Secrets(ns).List(ctx, opts)
	}, metav1.ListOptions{LabelSelector: argocd.SecretTypeLabel + "=" + argocd.SecretTypeCluster})
}

// listAll lists through the dynamic client, page by page.
func listAll(ctx context.Context, r dynamic.ResourceInterface, opts metav1.ListOptions) ([]unstructured.Unstructured, error) {
	return listPaged[unstructured.Unstructured](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return r.List(ctx, opts)
	}, opts)
}

// listPaged pages through a LIST with client-go's pager, so that no single
// response grows without bound in a large installation, and returns the
// items as T (the item type of the list).
func listPaged[T any](ctx context.Context, list pager.ListPageFunc, opts metav1.ListOptions) ([]T, error) {
	p := pager.New(list)
	p.PageSize = listPageSize
	var out []T
	err := p.EachListItemWithAlloc(ctx, opts, func(obj runtime.Object) error {
		item, ok := any(obj).(*T)
		if !ok {
			return fmt.Errorf("list returned %T, want %T", obj, item)
		}
		out = append(out, *item)
		return nil
	})
	return out, err
}

// appNotFound tells a missing app from a missing Argo CD, and lists the
// names the user may have meant.
func appNotFound(ctx context.Context, c Clients, target AppTarget) error {
	closest, served, err := closestNames(ctx, c, argocd.ApplicationsResource, target.Namespace, target.Name)
	switch {
	case err != nil:
		return err
	case !served:
		return &NotInstalledError{}
	}
	return &AppNotFoundError{Namespace: target.Namespace, Name: target.Name, Closest: closest}
}

// closestNames lists, for an object that was not found, the names of its
// kind in the namespace closest to name. served is false when the kind is
// not served at all; a namespace that does not exist is an error of its
// own. A list that fails otherwise gives no suggestions: they are a
// courtesy.
func closestNames(ctx context.Context, c Clients, gvr schema.GroupVersionResource, ns, name string) (closest []string, served bool, err error) {
	list, err := listAll(ctx, c.Dynamic.Resource(gvr).Namespace(ns), metav1.ListOptions{})
	if apierrors.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, nil
	}
	if len(list) == 0 {
		if _, err := c.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return nil, true, &NamespaceNotFoundError{Name: ns}
		}
	}
	names := make([]string, 0, len(list))
	for _, u := range list {
		names = append(names, u.GetName())
	}
	return suggest.Closest(name, names), true, nil
}
