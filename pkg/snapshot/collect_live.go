package snapshot

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/pager"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// perNamespaceListLimit: up to this many namespaces a kind is listed per
// namespace; beyond it, one cluster-wide LIST is cheaper.
const perNamespaceListLimit = 3

// collectLive lists, once per kind, the live objects the selected apps
// manage on this cluster.
func collectLive(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	s.Live = map[LiveKey]*unstructured.Unstructured{}
	s.LiveKinds = map[schema.GroupKind]bool{}
	kinds := map[schema.GroupKind][]string{}
	for _, app := range s.Applications {
		if !argocd.IsInCluster(app.Spec.Destination) {
			continue
		}
		for _, r := range app.Status.Resources {
			gk := schema.GroupKind{Group: r.Group, Kind: r.Kind}
			if !slices.Contains(kinds[gk], r.Namespace) {
				kinds[gk] = append(kinds[gk], r.Namespace)
			}
		}
	}
	if len(kinds) == 0 || c.Mapper == nil {
		rec.done(Live)
		return nil
	}
	rec.done(Live)
	keep := newLiveKeep(s.AllApps())
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for gk, namespaces := range kinds {
		g.Go(func() error {
			gvr, objects, err := listKind(ctx, c, gk, namespaces, keep, rec)
			if err != nil || objects == nil {
				return err
			}
			rec.resource(gvr, gk)
			mu.Lock()
			defer mu.Unlock()
			s.LiveKinds[gk] = true
			for _, o := range objects {
				s.Live[LiveKey{Group: gk.Group, Kind: gk.Kind, Namespace: o.GetNamespace(), Name: o.GetName()}] = o
			}
			return nil
		})
	}
	return g.Wait()
}

// listKind lists one kind in the given namespaces, page by page, keeping
// of each page only the objects keep wants, trimmed. It returns nil
// objects (and logs why) when the kind cannot be read; that is not fatal.
func listKind(ctx context.Context, c Clients, gk schema.GroupKind, namespaces []string, keep liveKeep, rec *recorder) (schema.GroupVersionResource, []*unstructured.Unstructured, error) {
	mapping, err := c.Mapper.RESTMapping(gk)
	if err != nil {
		rec.failed(ReadProblem{Verb: "list", Resource: gk.String(), Error: fmt.Sprintf("kind not served by the cluster: %v", err), Source: Live})
		return schema.GroupVersionResource{}, nil, nil
	}
	resource := c.Dynamic.Resource(mapping.Resource)
	scopes := []string{metav1.NamespaceAll}
	if mapping.Scope.Name() == "namespace" && len(namespaces) <= perNamespaceListLimit && !slices.Contains(namespaces, "") {
		scopes = namespaces
	}
	objects := []*unstructured.Unstructured{}
	for _, ns := range scopes {
		r := dynamic.ResourceInterface(resource)
		if mapping.Scope.Name() == "namespace" {
			r = resource.Namespace(ns)
		}
		var kept []*unstructured.Unstructured
		err := eachListItem(ctx, r, func(o *unstructured.Unstructured) {
			if keep.keep(gk, o) {
				kept = append(kept, o)
			}
		})
		if apierrors.IsForbidden(err) || apierrors.IsNotFound(err) {
			rec.failed(ReadProblem{Verb: "list", Resource: mapping.Resource.GroupResource().String(), Namespace: ns, Error: err.Error(), Source: Live})
			return mapping.Resource, nil, nil
		}
		if err != nil {
			return mapping.Resource, nil, fmt.Errorf("list %s%s: %w", mapping.Resource.GroupResource(), inNamespace(ns), err)
		}
		objects = append(objects, kept...)
	}
	return mapping.Resource, objects, nil
}

// eachListItem lists r page by page and hands each item to fn; the page
// itself is dropped after it, so only what fn keeps stays in memory. No
// page is fetched ahead (the pager's default buffers 10): with several
// kinds listed at once, pages decoded ahead into maps were most of the
// peak heap at 5,000 Applications.
func eachListItem(ctx context.Context, r dynamic.ResourceInterface, fn func(*unstructured.Unstructured)) error {
	p := pager.New(func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return r.List(ctx, opts)
	})
	p.PageSize = listPageSize
	p.PageBufferSize = 0
	return p.EachListItem(ctx, metav1.ListOptions{}, func(obj runtime.Object) error {
		o, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return fmt.Errorf("list returned %T, want *unstructured.Unstructured", obj)
		}
		fn(o)
		return nil
	})
}
