package diagnose

import (
	"time"

	corev1 "k8s.io/api/core/v1"
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
	// argoCDNamespaceGuessed: ArgoCDNamespace is only the default.
	argoCDNamespaceGuessed bool

	// Applications are the apps being diagnosed.
	Applications []argocd.Application
	// Projects are all AppProjects of the control namespace; ProjectsRead is
	// false when they could not be listed, and project checks stay silent.
	Projects     []argocd.AppProject
	ProjectsRead bool
	// Clusters are the registered cluster Secrets; ClustersRead is false
	// when Secrets could not be listed, and destination checks stay silent.
	Clusters     []argocd.Cluster
	ClustersRead bool

	// Live holds the objects the selected apps manage (status.resources),
	// read from the cluster for in-cluster destinations, keyed by LiveKey.
	// LiveKinds records which kinds were listed: a managed object of a
	// listed kind that is absent from Live is really gone.
	Live      map[LiveKey]*unstructured.Unstructured
	LiveKinds map[schema.GroupKind]bool

	// Namespaces are the cluster's Namespaces (NamespacesRead when listed).
	Namespaces     []corev1.Namespace
	NamespacesRead bool
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
	Pods      []corev1.Pod
	PodsRead  bool
	Nodes     []corev1.Node
	NodesRead bool

	// ControllerPods are the argocd-application-controller pods;
	// ControllerRead is false when they could not be listed.
	ControllerPods []corev1.Pod
	ControllerRead bool

	// ArgoCRDs are the argoproj.io CustomResourceDefinitions.
	ArgoCRDs []unstructured.Unstructured
	// AllApplications are every Application of the cluster (not only the
	// selected ones), for checks across apps: shared resources, CRD and
	// project deletion.
	AllApplications []argocd.Application
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
	if !isInCluster(app.Spec.Destination) || !s.LiveKinds[schema.GroupKind{Group: r.Group, Kind: r.Kind}] {
		return nil, false
	}
	return s.Live[LiveKey{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}], true
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

// appRef is the ObjectRef of an Application.
func appRef(app *argocd.Application) ObjectRef {
	return ObjectRef{Group: argocd.Group, Kind: "Application", Namespace: app.Namespace, Name: app.Name}
}
