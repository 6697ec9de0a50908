package snapshot

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// configMapKind is the kind both collectLive (the ConfigMaps apps manage)
// and collectConfigObjects (config-stale's view) list.
var configMapKind = schema.GroupKind{Kind: "ConfigMap"}

// sharedConfigMaps are the ConfigMap LISTs collectLive and
// collectConfigObjects would both make in the same scope (one namespace,
// or all): collectLive makes each once and hands its pages to
// config-stale's decoder too; collectConfigObjects takes what it read.
// Scopes where the two differ stay each collector's own.
type sharedConfigMaps struct {
	// lists is fixed before the collectors start, by namespace
	// (metav1.NamespaceAll for all).
	lists map[string]*sharedConfigMapList
	// done is closed when collectLive has finished: what it did not read
	// (it gave up on the kind, or never got to it) collectConfigObjects
	// reads itself.
	done chan struct{}
}

// sharedConfigMapList is one shared LIST as collectLive left it.
type sharedConfigMapList struct {
	read    bool
	err     error
	objects map[LiveKey]ConfigObject
}

// newSharedConfigMaps finds the scopes where both collectors list
// ConfigMaps, from the same inputs they decide them by: the namespaces of
// the ConfigMaps apps manage and the apps' contents (or all namespaces).
// Only the REST client reads pages: with the fakes of pure tests nothing
// is shared.
func newSharedConfigMaps(c Clients, apps []argocd.Application, contents []string, all bool) *sharedConfigMaps {
	s := &sharedConfigMaps{lists: map[string]*sharedConfigMapList{}, done: make(chan struct{})}
	managed, ok := liveKinds(apps)[configMapKind]
	if !ok || c.Mapper == nil || restClientOf(c) == nil {
		return s
	}
	live := liveScopes(true, managed)
	for _, ns := range configScopes(contents, all) {
		if slices.Contains(live, ns) {
			s.lists[ns] = &sharedConfigMapList{objects: map[LiveKey]ConfigObject{}}
		}
	}
	return s
}

// list is the shared LIST collectLive makes of kind gk in scope ns; nil
// when it is its own.
func (s *sharedConfigMaps) list(gk schema.GroupKind, ns string) *sharedConfigMapList {
	if s == nil || gk != configMapKind {
		return nil
	}
	return s.lists[ns]
}

// finish tells collectConfigObjects that collectLive is done.
func (s *sharedConfigMaps) finish() {
	if s != nil {
		close(s.done)
	}
}

// take waits until collectLive is done and returns what it read of the
// shared LIST in scope ns, handing the objects over; read is false when
// the scope is not shared or collectLive did not get to it.
func (s *sharedConfigMaps) take(ctx context.Context, ns string) (objects map[LiveKey]ConfigObject, read bool, err error) {
	if s == nil || s.lists[ns] == nil {
		return nil, false, nil
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	l := s.lists[ns]
	objects, l.objects = l.objects, nil
	return objects, l.read, l.err
}

// decode decodes one page for config-stale too.
func (l *sharedConfigMapList) decode(data []byte) error {
	if l == nil {
		return nil
	}
	_, err := decodeConfigPage(data, "ConfigMap", l.objects)
	return err
}

// restart forgets the pages read: the list is read again from the start.
func (l *sharedConfigMapList) restart() {
	if l != nil {
		clear(l.objects)
	}
}

// finish records how the LIST ended, for collectConfigObjects.
func (l *sharedConfigMapList) finish(err error) {
	if l != nil {
		l.read, l.err = true, err
	}
}
