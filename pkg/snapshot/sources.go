package snapshot

import (
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Source is one part of the Snapshot that a read fills. Checks declare the
// sources they need; a source that was not read silences them.
type Source string

// The sources of a Snapshot.
const (
	Settings          Source = "argocd-cm"
	CmdParams         Source = "argocd-cmd-params-cm"
	Projects          Source = "appprojects"
	Clusters          Source = "cluster-secrets"
	AllApplications   Source = "all-applications"
	Live              Source = "live-objects"
	Namespaces        Source = "namespaces"
	NamespaceContents Source = "namespace-contents"
	Pods              Source = "pods"
	Nodes             Source = "nodes"
	Controller        Source = "controller-pods"
	CRDs              Source = "crds"
	// InstallWorkloads, InstallPods, InstallConfig and ServerVersion are
	// the installation itself (collect_install.go), for diagnose install
	// and security: Deployments and StatefulSets, pods and ConfigMaps of
	// the Argo CD namespace, and the Kubernetes version.
	InstallWorkloads Source = "argocd-workloads"
	InstallPods      Source = "argocd-pods"
	InstallConfig    Source = "argocd-configmaps"
	ServerVersion    Source = "server-version"
	// RepoServerSettings, RepoCredentials and Hooks are read only for
	// the apps whose status needs them (comparison errors, running hooks).
	RepoServerSettings Source = "repo-server-settings"
	RepoCredentials    Source = "repo-credentials"
	Hooks              Source = "hook-objects"
	// ApplicationSets are listed when their CRD is being deleted.
	ApplicationSets Source = "applicationsets"
	// AppSets are the ApplicationSets being diagnosed, listed in the
	// diagnosis' scope (collect_appset.go).
	AppSets Source = "applicationsets-in-scope"
	// Events are the Warning events of the apps' namespaces, and
	// ConfigObjects their ConfigMaps and Secrets (metadata only), for the
	// health and config-stale findings.
	Events        Source = "events"
	ConfigObjects Source = "configmaps-secrets"
	// IngressClasses are read when an app manages an Ingress: which class
	// exists, and which controller serves it.
	IngressClasses Source = "ingressclasses"
	// ArgoCDServer are the apps' resource trees read through argocd-server,
	// and ControllerWorkloads the application-controller's StatefulSets and
	// Deployments; both read only when a server is configured
	// (collect_server.go).
	ArgoCDServer        Source = "argocd-server-trees"
	ControllerWorkloads Source = "controller-workloads"
	// OtherInstallations are the cluster's other Argo CD installations,
	// looked for across namespaces (installations.go): without them an
	// app outside the Argo CD namespace cannot be said to be unwatched,
	// nor surely judged against the installation that watches it.
	OtherInstallations Source = "argocd-installations"
)

// ReadProblem records a read that failed without failing the diagnosis,
// typically a permission the user lacks. Source is the part of the
// Snapshot it leaves empty, or incomplete when the source was still read
// in part (Snapshot.Has); "" when it affects no check (an object that
// could not be decoded and was skipped).
type ReadProblem struct {
	Verb      string
	Resource  string
	Namespace string
	Error     string
	Source    Source
}

// recorder collects what concurrent readers read and failed to read.
type recorder struct {
	mu        sync.Mutex
	read      map[Source]bool
	problems  []ReadProblem
	resources map[schema.GroupKind]schema.GroupVersionResource
}

func newRecorder() *recorder {
	return &recorder{read: map[Source]bool{}, resources: map[schema.GroupKind]schema.GroupVersionResource{}}
}

// resource notes the API resource a kind was read through.
func (r *recorder) resource(gvr schema.GroupVersionResource, gk schema.GroupKind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resources[gk] = gvr
}

// done marks a source as read.
func (r *recorder) done(src Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.read[src] = true
}

// failed records a read that failed. Its source stays unread unless
// another read marks it done: then it is read in part.
func (r *recorder) failed(p ReadProblem) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problems = append(r.problems, p)
}

// has tells whether a source has been marked read so far.
func (r *recorder) has(src Source) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.read[src]
}

// forget takes back a source marked read whose data turned out unusable.
func (r *recorder) forget(src Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.read, src)
}

// fill moves what was recorded into the Snapshot.
func (r *recorder) fill(s *Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.Read == nil {
		s.Read = map[Source]bool{}
	}
	for src := range r.read {
		s.Read[src] = true
	}
	s.Problems = append(s.Problems, r.problems...)
	if s.Resources == nil {
		s.Resources = map[schema.GroupKind]schema.GroupVersionResource{}
	}
	for gk, gvr := range r.resources {
		s.Resources[gk] = gvr
	}
}
