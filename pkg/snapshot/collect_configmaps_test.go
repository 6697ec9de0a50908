package snapshot

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// TestConfigMapsListedOnce: where collectLive and collectConfigObjects
// list ConfigMaps in the same scope, one LIST serves both; where their
// scopes differ each makes its own; a forbidden shared LIST is a read
// problem of each source, as when each made its own.
func TestConfigMapsListedOnce(t *testing.T) {
	const cms = `{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":[
		{"metadata":{"name":"cm","namespace":"a","managedFields":[{"manager":"m"}]},"data":{"k":"v"}},
		{"metadata":{"name":"other","namespace":"a"},"immutable":true}]}`
	const secrets = `{"kind":"SecretList","apiVersion":"v1","metadata":{},"items":[]}`
	const forbidden = `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"forbidden"}`
	inA, inAll := "/api/v1/namespaces/a/configmaps", "/api/v1/configmaps"
	tests := []struct {
		name         string
		all, forbid  bool
		wantRequests map[string]int
	}{
		{name: "same namespace", wantRequests: map[string]int{inA: 1}},
		{name: "same namespace, forbidden", forbid: true, wantRequests: map[string]int{inA: 1}},
		{name: "live in its namespace, config-stale in all", all: true, wantRequests: map[string]int{inA: 1, inAll: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			requests := map[string]int{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch r.URL.Path {
				case inA, inAll:
					mu.Lock()
					requests[r.URL.Path]++
					mu.Unlock()
					if tt.forbid {
						w.WriteHeader(http.StatusForbidden)
						_, _ = w.Write([]byte(forbidden))
						return
					}
					_, _ = w.Write([]byte(cms))
				case "/api/v1/namespaces/a/secrets", "/api/v1/secrets":
					_, _ = w.Write([]byte(secrets))
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{{Version: "v1"}})
			mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
			c := realClients(t, srv.URL)
			c.Mapper = mapper
			app := argocd.Application{}
			app.Spec.Destination.Server = argocd.InClusterServer
			app.Spec.Destination.Namespace = "a"
			app.Status.Resources = []argocd.ResourceStatus{{Kind: "ConfigMap", Namespace: "a", Name: "cm", Status: "Synced"}}
			s := &Snapshot{Applications: []argocd.Application{app}}
			contents := namespacesOfContents(s.Applications)
			rec := newRecorder()
			shared := newSharedConfigMaps(c, s.Applications, contents, tt.all)
			g, ctx := errgroup.WithContext(context.Background())
			g.Go(func() error { return collectLive(ctx, c, s, shared, rec) })
			g.Go(func() error { return collectConfigObjects(ctx, c, s, contents, tt.all, shared, rec) })
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			rec.fill(s)
			if !maps.Equal(requests, tt.wantRequests) {
				t.Errorf("requests %v, want %v", requests, tt.wantRequests)
			}
			cm := LiveKey{Kind: "ConfigMap", Namespace: "a", Name: "cm"}
			if tt.forbid {
				want := ReadProblem{Verb: "list", Resource: "configmaps", Namespace: "a"}
				for _, src := range []Source{Live, ConfigObjects} {
					want.Source = src
					if got := problemsOf(t, s, src); !slices.Equal(got, []ReadProblem{want}) {
						t.Errorf("%s problems %+v, want %+v", src, got, want)
					}
				}
				if s.Has(ConfigObjects) || s.LiveKinds[configMapKind] || len(s.Live) != 0 || len(s.ConfigObjects) != 0 {
					t.Errorf("read: ConfigObjects %v, LiveKinds %v, Live %v, ConfigObjects %v", s.Has(ConfigObjects), s.LiveKinds, s.Live, s.ConfigObjects)
				}
				return
			}
			if len(s.Problems) != 0 || !s.Has(Live) || !s.Has(ConfigObjects) {
				t.Errorf("problems %+v, read %v", s.Problems, s.Read)
			}
			if live := s.LiveByKey(cm); live == nil || live.GetManagedFields() != nil || live.Object["data"] != nil || len(s.Live) != 1 {
				t.Errorf("live %v of %d", live, len(s.Live))
			}
			other := s.ConfigObjects[LiveKey{Kind: "ConfigMap", Namespace: "a", Name: "other"}]
			if len(s.ConfigObjects) != 2 || s.ConfigObjects[cm].Name != "cm" || !other.Immutable || s.ConfigObjects[cm].ManagedFields[0].Manager != "m" {
				t.Errorf("config objects %+v", s.ConfigObjects)
			}
		})
	}
}
