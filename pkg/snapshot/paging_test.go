package snapshot

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
)

// pagedServer answers a LIST in pages, as an API server does when the
// client sets a limit: each page but the last carries a continue token.
type pagedServer struct {
	// page builds page i of n; next is its continue token ("" on the last).
	page func(i int, next string) runtime.Object
	n    int

	mu   sync.Mutex
	seen []metav1.ListOptions
}

func (p *pagedServer) react(action k8stesting.Action) (bool, runtime.Object, error) {
	list, ok := action.(k8stesting.ListActionImpl)
	if !ok {
		return true, nil, fmt.Errorf("unexpected action %T", action)
	}
	p.mu.Lock()
	p.seen = append(p.seen, list.ListOptions)
	p.mu.Unlock()
	i := 0
	if token := list.ListOptions.Continue; token != "" {
		if _, err := fmt.Sscanf(token, "page-%d", &i); err != nil || i <= 0 || i >= p.n {
			return true, nil, fmt.Errorf("unknown continue token %q", token)
		}
	}
	next := ""
	if i+1 < p.n {
		next = fmt.Sprintf("page-%d", i+1)
	}
	return true, p.page(i, next), nil
}

// TestListsFollowContinueTokens proves that every kind is read page by
// page to the end: a collector that took only the first page would miss
// objects in a large installation.
func TestListsFollowContinueTokens(t *testing.T) {
	const pages, perPage = 3, 2
	names := func(prefix string) []string {
		var out []string
		for i := range pages * perPage {
			out = append(out, fmt.Sprintf("%s-%d", prefix, i))
		}
		return out
	}
	tests := []struct {
		name     string
		resource string
		dynamic  bool
		// match picks the LIST to page; others go to the fake's store.
		match func(k8stesting.Action) bool
		page  func(i int, next string) runtime.Object
		got   func(s *Snapshot) []string
		want  []string
	}{
		{
			name: "Applications", resource: "applications", dynamic: true,
			page: func(i int, next string) runtime.Object {
				list := &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationList"}}
				list.SetContinue(next)
				for j := range perPage {
					list.Items = append(list.Items, *testApplication("argocd", fmt.Sprintf("app-%d", i*perPage+j), "default", "guestbook"))
				}
				return list
			},
			got:  func(s *Snapshot) []string { return nameOnly(appNames(s.Applications)) },
			want: names("app"),
		},
		{
			name: "cluster Secrets", resource: "secrets",
			// Only the cluster Secrets' LIST: config-stale lists a namespace's Secrets too.
			match: func(a k8stesting.Action) bool {
				l, ok := a.(k8stesting.ListAction)
				return ok && !l.GetListRestrictions().Labels.Empty()
			},
			page: func(i int, next string) runtime.Object {
				list := &corev1.SecretList{ListMeta: metav1.ListMeta{Continue: next}}
				for j := range perPage {
					name := fmt.Sprintf("cluster-%d", i*perPage+j)
					list.Items = append(list.Items, *testClusterSecret("argocd", name, "https://"+name+".example.com"))
				}
				return list
			},
			got: func(s *Snapshot) []string {
				var out []string
				for _, c := range s.Clusters {
					out = append(out, c.SecretName)
				}
				return out
			},
			want: names("cluster"),
		},
		{
			name: "pods of a namespace", resource: "pods", match: inNamespaceAction("guestbook"),
			page: func(i int, next string) runtime.Object {
				list := &corev1.PodList{ListMeta: metav1.ListMeta{Continue: next}}
				for j := range perPage {
					list.Items = append(list.Items, *testPod("guestbook", fmt.Sprintf("pod-%d", i*perPage+j)))
				}
				return list
			},
			got: func(s *Snapshot) []string {
				var out []string
				for _, p := range s.Pods {
					out = append(out, p.Name)
				}
				return out
			},
			want: names("pod"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := &pagedServer{page: tt.page, n: pages}
			react := func(a k8stesting.Action) (bool, runtime.Object, error) {
				if tt.match != nil && !tt.match(a) {
					return false, nil, nil
				}
				return server.react(a)
			}
			var f *fakeAPI
			if tt.dynamic {
				f = newFakeAPI([]runtime.Object{testNamespace("argocd")})
				f.dynamic.PrependReactor("list", tt.resource, react)
			} else {
				f = newFakeAPI([]runtime.Object{testNamespace("argocd"), testNamespace("guestbook")}, testApplication("argocd", "guestbook", "default", "guestbook"))
				f.kube.PrependReactor("list", tt.resource, react)
			}
			s := mustCollectApps(t, f.clients(), AppSelector{Namespace: "argocd"}, testCollectOptions())

			if got := tt.got(s); !slices.Equal(got, tt.want) {
				t.Errorf("read %v, want %v", got, tt.want)
			}
			var tokens []string
			for _, o := range server.seen {
				tokens = append(tokens, o.Continue)
				if o.Limit != listPageSize {
					t.Errorf("LIST with limit %d, want %d", o.Limit, listPageSize)
				}
			}
			if want := []string{"", "page-1", "page-2"}; !slices.Equal(tokens, want) {
				t.Errorf("%d LISTs with continue tokens %q, want %q", len(tokens), tokens, want)
			}
		})
	}
}

// nameOnly drops the namespace/ prefix of appNames.
func nameOnly(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		_, name, _ := strings.Cut(n, "/")
		out = append(out, name)
	}
	return out
}
