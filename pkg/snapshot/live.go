package snapshot

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// LiveByKey decodes the live object kept under key; nil when none is (or
// its JSON does not decode, which the list's validation rules out). Each
// call decodes anew: callers that read an object several times keep it.
func (s *Snapshot) LiveByKey(key LiveKey) *unstructured.Unstructured {
	raw, ok := s.Live[key]
	if !ok {
		return nil
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(raw); err != nil {
		return nil
	}
	return obj
}

// AddLive records obj as live, whole, and its kind as listed: for tests
// and fixtures that build a Snapshot by hand.
func (s *Snapshot) AddLive(obj *unstructured.Unstructured) error {
	raw, err := obj.MarshalJSON()
	if err != nil {
		return err
	}
	if s.Live == nil {
		s.Live = map[LiveKey][]byte{}
	}
	if s.LiveKinds == nil {
		s.LiveKinds = map[schema.GroupKind]bool{}
	}
	gk := obj.GroupVersionKind().GroupKind()
	s.LiveKinds[gk] = true
	s.Live[LiveKey{Group: gk.Group, Kind: gk.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}] = raw
	return nil
}

// LiveJSON is LiveObject's object as its kept JSON, for a check that
// decodes only the few fields it looks at first into its own types.
func (s *Snapshot) LiveJSON(app *argocd.Application, r argocd.ResourceStatus) (raw []byte, known bool) {
	if !argocd.IsInCluster(app.Spec.Destination) || !s.LiveKinds[schema.GroupKind{Group: r.Group, Kind: r.Kind}] {
		return nil, false
	}
	return s.Live[LiveKey{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}], true
}
