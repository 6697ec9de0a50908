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
