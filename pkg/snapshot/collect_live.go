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
	"k8s.io/apimachinery/pkg/runtime/schema"

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
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for gk, namespaces := range kinds {
		g.Go(func() error {
			gvr, objects, err := listKind(ctx, c, gk, namespaces, rec)
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

// listKind lists one kind in the given namespaces. It returns nil objects
// (and logs why) when the kind cannot be read; that is not fatal.
func listKind(ctx context.Context, c Clients, gk schema.GroupKind, namespaces []string, rec *recorder) (schema.GroupVersionResource, []*unstructured.Unstructured, error) {
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
		var items []unstructured.Unstructured
		var err error
		if mapping.Scope.Name() == "namespace" {
			items, err = listAll(ctx, resource.Namespace(ns), metav1.ListOptions{})
		} else {
			items, err = listAll(ctx, resource, metav1.ListOptions{})
		}
		if apierrors.IsForbidden(err) || apierrors.IsNotFound(err) {
			rec.failed(ReadProblem{Verb: "list", Resource: mapping.Resource.GroupResource().String(), Namespace: ns, Error: err.Error(), Source: Live})
			return mapping.Resource, nil, nil
		}
		if err != nil {
			return mapping.Resource, nil, fmt.Errorf("list %s%s: %w", mapping.Resource.GroupResource(), inNamespace(ns), err)
		}
		for i := range items {
			objects = append(objects, &items[i])
		}
	}
	return mapping.Resource, objects, nil
}
