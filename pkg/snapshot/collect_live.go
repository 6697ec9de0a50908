package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/pager"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// perNamespaceListLimit: up to this many namespaces a kind is listed per
// namespace; beyond it, one cluster-wide LIST is cheaper.
const perNamespaceListLimit = 3

// collectLive lists, once per kind, the live objects the selected apps
// manage on this cluster, and keeps them as trimmed JSON (live_keep.go).
// The ConfigMap LISTs in shared it reads for collectConfigObjects too.
func collectLive(ctx context.Context, c Clients, s *Snapshot, shared *sharedConfigMaps, rec *recorder) error {
	defer shared.finish()
	s.Live = map[LiveKey][]byte{}
	s.LiveKinds = map[schema.GroupKind]bool{}
	kinds := liveKinds(s.Applications)
	rec.done(Live)
	if len(kinds) == 0 || c.Mapper == nil {
		return nil
	}
	keep := newLiveKeep(s.AllApps())
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for gk, namespaces := range kinds {
		g.Go(func() error {
			gvr, objects, err := listKind(ctx, c, gk, namespaces, keep, shared, rec)
			if err != nil || objects == nil {
				return err
			}
			rec.resource(gvr, gk)
			mu.Lock()
			defer mu.Unlock()
			s.LiveKinds[gk] = true
			for _, o := range objects {
				s.Live[o.key] = o.raw
			}
			return nil
		})
	}
	return g.Wait()
}

// liveKinds are the kinds the apps manage on this cluster, with the
// namespaces of their objects.
func liveKinds(apps []argocd.Application) map[schema.GroupKind][]string {
	kinds := map[schema.GroupKind][]string{}
	for _, app := range apps {
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
	return kinds
}

// keptLive is one live object kept, as its trimmed JSON.
type keptLive struct {
	key LiveKey
	raw []byte
}

// liveScopes are the namespaces a kind is listed in: each of namespaces,
// or all (metav1.NamespaceAll) when they are many or the kind is not
// namespaced.
func liveScopes(namespaced bool, namespaces []string) []string {
	if namespaced && len(namespaces) <= perNamespaceListLimit && !slices.Contains(namespaces, "") {
		return namespaces
	}
	return []string{metav1.NamespaceAll}
}

// listKind lists one kind in the given namespaces, page by page, keeping
// of each page only the objects keep wants, trimmed. It returns nil
// objects (and logs why) when the kind cannot be read; that is not fatal.
func listKind(ctx context.Context, c Clients, gk schema.GroupKind, namespaces []string, keep liveKeep, shared *sharedConfigMaps, rec *recorder) (schema.GroupVersionResource, []keptLive, error) {
	mapping, err := c.Mapper.RESTMapping(gk)
	if err != nil {
		rec.failed(ReadProblem{Verb: "list", Resource: gk.String(), Error: fmt.Sprintf("kind not served by the cluster: %v", err), Source: Live})
		return schema.GroupVersionResource{}, nil, nil
	}
	namespaced := mapping.Scope.Name() == "namespace"
	rc := restClientOf(c)
	objects := []keptLive{}
	for _, ns := range liveScopes(namespaced, namespaces) {
		var kept []keptLive
		if rc != nil {
			kept, err = readLive(ctx, rc, mapping.Resource, ns, gk, keep, shared.list(gk, ns))
		} else {
			kept, err = listLiveDynamic(ctx, c, mapping.Resource, namespaced, ns, gk, keep)
		}
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

// collectionPath is the path of a resource's collection, in one
// namespace or all.
func collectionPath(gvr schema.GroupVersionResource, ns string) string {
	p := "/apis/" + gvr.Group + "/" + gvr.Version
	if gvr.Group == "" {
		p = "/api/" + gvr.Version
	}
	if ns != metav1.NamespaceAll {
		p += "/namespaces/" + ns
	}
	return p + "/" + gvr.Resource
}

// readLive GETs one kind page by page and keeps, of each page, the items
// keep wants as trimmed JSON, without decoding them: the page is scanned
// (live_json.go) and dropped. A ConfigMap LIST shared with config-stale
// (cfg, nil if none) decodes each page for it too.
func readLive(ctx context.Context, rc *rest.RESTClient, gvr schema.GroupVersionResource, ns string, gk schema.GroupKind, keep liveKeep, cfg *sharedConfigMapList) ([]keptLive, error) {
	var kept []keptLive
	err := getPages(ctx, rc, collectionPath(gvr, ns), nil, func(data []byte) (string, error) {
		cont, err := keepLivePage(data, gk, keep, &kept)
		if err != nil {
			return "", err
		}
		return cont, cfg.decode(data)
	}, func() {
		kept = kept[:0]
		cfg.restart()
	})
	cfg.finish(err)
	return kept, err
}

// keepLivePage appends to kept what keep wants of one page and returns
// its continue token.
func keepLivePage(data []byte, gk schema.GroupKind, keep liveKeep, kept *[]keptLive) (string, error) {
	page, err := scanLivePage(data, func(page livePage, item []byte) error {
		key, raw, err := keep.keep(gk, page.apiVersion, page.kind, item)
		if raw != nil {
			*kept = append(*kept, keptLive{key: key, raw: raw})
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("decode list of %s: %w", gk, err)
	}
	return page.cont, nil
}

// listLiveDynamic lists one kind through the dynamic client (the fakes of
// pure tests), page by page with no page fetched ahead.
func listLiveDynamic(ctx context.Context, c Clients, gvr schema.GroupVersionResource, namespaced bool, ns string, gk schema.GroupKind, keep liveKeep) ([]keptLive, error) {
	resource := c.Dynamic.Resource(gvr)
	r := dynamic.ResourceInterface(resource)
	if namespaced {
		r = resource.Namespace(ns)
	}
	var kept []keptLive
	p := pager.New(func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return r.List(ctx, opts)
	})
	p.PageSize = listPageSize
	p.PageBufferSize = 0
	err := p.EachListItem(ctx, metav1.ListOptions{}, func(obj runtime.Object) error {
		data, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		key, raw, err := keep.keep(gk, "", "", data)
		if raw != nil {
			kept = append(kept, keptLive{key: key, raw: raw})
		}
		return err
	})
	return kept, err
}
