// Package snapshot reads an Argo CD installation and what its Applications
// manage into a Snapshot, in one pass of paginated LISTs per kind. It knows
// nothing of checks: a read that fails marks its Source, and the checks
// that need that source decide what it silences.
package snapshot

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// Snapshot is everything the checks may look at, read in one pass. Checks
// never call the API: what they need, the collector gathers once per kind.
type Snapshot struct {
	// Now and StuckAfter are the clock and threshold the checks judge age by.
	Now        time.Time
	StuckAfter time.Duration

	// ArgoCDNamespace is the control namespace: projects, cluster Secrets and
	// argocd-cm live there.
	ArgoCDNamespace string
	Settings        argocd.Settings
	// ArgoCDNamespaceGuessed: ArgoCDNamespace is only the default.
	ArgoCDNamespaceGuessed bool
	// Installations are the namespaces of every Argo CD installation
	// found in the cluster, when the diagnosis was told them (several
	// installations, no --argocd-namespace).
	Installations []string
	// OtherInstallations are the other installations a diagnosis of every
	// namespace judges apps against, each a Snapshot that holds only its
	// own sources (installationSources); Views splits the apps among them.
	OtherInstallations []*Snapshot
	// Named: the user named the object diagnosed (diagnose app X,
	// diagnose namespace Y), who wants its state explained even when it is
	// not yet past StuckAfter.
	Named bool

	// Read holds the sources that were read (in full, or in part when a
	// Problem names them); a source not read is out of scope or failed.
	Read map[Source]bool
	// Problems are the reads that failed without failing the diagnosis.
	Problems []ReadProblem

	// Applications are the apps being diagnosed.
	Applications []argocd.Application
	// Projects are all AppProjects of the control namespace (Projects).
	Projects []argocd.AppProject
	// Clusters are the registered cluster Secrets (Clusters).
	Clusters []argocd.Cluster

	// Live holds the objects the selected apps manage (status.resources),
	// read from the cluster for in-cluster destinations, keyed by LiveKey.
	// LiveKinds records which kinds were listed: a managed object of a
	// listed kind that is absent from Live is really gone. Each object is
	// kept as its JSON, trimmed (live_keep.go); LiveObject and LiveByKey
	// decode it.
	Live      map[LiveKey][]byte
	LiveKinds map[schema.GroupKind]bool
	// Resources maps each kind read (live or left in a namespace) to the
	// API resource it was read through, for the fixes that write to it.
	Resources map[schema.GroupKind]schema.GroupVersionResource

	// Namespaces are the cluster's Namespaces, or those of the apps.
	Namespaces []corev1.Namespace
	// NamespaceContents are the objects left in each Terminating namespace,
	// found through discovery of every namespaced, listable kind.
	NamespaceContents map[string][]unstructured.Unstructured
	// NamespaceUnread are the resources of each Terminating namespace that
	// could not be listed (forbidden): "nothing remains" cannot be said then.
	NamespaceUnread map[string][]string
	// DiscoveryFailures are API groups whose discovery failed (for example
	// an unavailable APIService): the namespace controller cannot finish a
	// namespace while one exists.
	DiscoveryFailures []DiscoveryFailure

	// Pods and Nodes, for pods stuck Terminating in the apps' namespaces.
	Pods  []corev1.Pod
	Nodes []corev1.Node

	// ControllerPods are the argocd-application-controller pods.
	ControllerPods []corev1.Pod

	// ArgoCRDs are the argoproj.io CustomResourceDefinitions.
	ArgoCRDs []unstructured.Unstructured
	// AllApplications are every Application of the cluster (not only the
	// selected ones), for checks across apps: shared resources, CRD and
	// project deletion.
	AllApplications []argocd.Application

	// Install is the Argo CD installation itself (collect_install.go).
	Install Installation
	// Ignore are finding ids not to report (--ignore); objects may also
	// carry the annotation argofix.dev/ignore (see IgnoredOn).
	Ignore []string

	// RepoServer and RepoCredentials explain comparison errors (timeouts,
	// authentication); read only when an app has one.
	RepoServer      *RepoServer
	RepoCredentials []RepoCredential
	// Hooks are the hook objects of the selected apps' operations
	// (status.operationState.syncResult), keyed like Live.
	Hooks map[LiveKey]*unstructured.Unstructured
	// ApplicationSets are every ApplicationSet of the cluster, read only
	// while their CRD is being deleted (ApplicationSets).
	ApplicationSets []unstructured.Unstructured
	// AppSets are the ApplicationSets being diagnosed (AppSets): those of
	// the scope (the Argo CD namespace, all namespaces with -A or the whole
	// cluster), those owning the app of diagnose app, or the one diagnose
	// appset names (collect_appset.go).
	AppSets []argocd.ApplicationSet

	// Events are the Warning events of the apps' namespaces, newest first
	// (collect_events.go): evidence of why an object is not healthy.
	Events []corev1.Event
	// ConfigObjects are the ConfigMaps and Secrets of the apps' namespaces,
	// without their data (collect_config.go), keyed like Live.
	ConfigObjects map[LiveKey]ConfigObject
	// IngressClasses are the cluster's IngressClasses, read when an app
	// manages an Ingress (IngressClasses).
	IngressClasses []networkingv1.IngressClass

	// ArgoCDServer is what argocd-server told (collect_server.go); nil
	// when no server is configured.
	ArgoCDServer *ServerView
}

// LiveKey identifies a live object.
type LiveKey struct {
	Group     string
	Kind      string
	Namespace string
	Name      string
}

// DiscoveryFailure is an API group version whose discovery failed.
type DiscoveryFailure struct {
	GroupVersion string
	Error        string
}

// LiveObject returns the live object behind one of app's status.resources.
// known is false when it could not be read: its kind was not listed
// (forbidden, not served) or the app deploys to another cluster, whose
// objects are out of reach even when the same kind was listed here.
func (s *Snapshot) LiveObject(app *argocd.Application, r argocd.ResourceStatus) (obj *unstructured.Unstructured, known bool) {
	if !argocd.IsInCluster(app.Spec.Destination) || !s.LiveKinds[schema.GroupKind{Group: r.Group, Kind: r.Kind}] {
		return nil, false
	}
	return s.LiveByKey(LiveKey{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}), true
}

// Project returns the AppProject called name, if it exists.
func (s *Snapshot) Project(name string) (*argocd.AppProject, bool) {
	for i := range s.Projects {
		if s.Projects[i].Name == name {
			return &s.Projects[i], true
		}
	}
	return nil, false
}

// ProjectNames lists the names of the existing AppProjects.
func (s *Snapshot) ProjectNames() []string {
	names := make([]string, 0, len(s.Projects))
	for _, p := range s.Projects {
		names = append(names, p.Name)
	}
	return names
}

// Has tells whether a source was read (perhaps in part).
func (s *Snapshot) Has(src Source) bool { return s.Read[src] }

// AllApps are every Application known to the Snapshot: the whole cluster
// when it was listed, else the selected ones.
func (s *Snapshot) AllApps() []argocd.Application {
	if len(s.AllApplications) > 0 {
		return s.AllApplications
	}
	return s.Applications
}
