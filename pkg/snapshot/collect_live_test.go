package snapshot

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// TestCollectLive checks what is known of the objects an app manages: a
// listed kind tells present from gone; a kind that could not be listed
// (forbidden, not served, another cluster) is unknown, never "gone".
func TestCollectLive(t *testing.T) {
	resources := []map[string]any{
		{"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "team-a", "name": "web"},
		{"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "team-a", "name": "gone"},
		{"group": "example.com", "version": "v1", "kind": "Widget", "namespace": "team-a", "name": "w"},
	}
	web := argocd.ResourceStatus{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "team-a", Name: "web"}
	gone := argocd.ResourceStatus{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "team-a", Name: "gone"}
	widget := argocd.ResourceStatus{Group: "example.com", Version: "v1", Kind: "Widget", Namespace: "team-a", Name: "w"}
	notServed := ReadProblem{Verb: "list", Resource: "Widget.example.com", Source: Live}
	deploymentsGK := schema.GroupKind{Group: "apps", Kind: "Deployment"}

	// known: whether each of web, gone, widget is known; present: whether found.
	type state struct{ known, present bool }
	tests := []struct {
		name         string
		server       string
		forbid       bool
		want         [3]state
		wantProblems []ReadProblem
		wantListed   bool // the deployments were listed and their resource noted
	}{
		{
			name: "in-cluster, readable", server: argocd.InClusterServer,
			want:         [3]state{{known: true, present: true}, {known: true}, {}},
			wantProblems: []ReadProblem{notServed}, wantListed: true,
		},
		{
			name: "in-cluster, Deployments forbidden", server: argocd.InClusterServer, forbid: true,
			wantProblems: []ReadProblem{notServed, {Verb: "list", Resource: "deployments.apps", Namespace: "team-a", Source: Live}},
		},
		{
			name: "another cluster", server: "https://prod.example.com",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := withResources(testApplication("argocd", "web", "default", "team-a"), resources...)
			if err := unstructured.SetNestedField(app.Object, tt.server, "spec", "destination", "server"); err != nil {
				t.Fatal(err)
			}
			f := newFakeAPI([]runtime.Object{testNamespace("argocd"), testNamespace("team-a")}, app, testDeployment("team-a", "web"))
			if tt.forbid {
				f.forbidDynamic("list", "deployments", nil)
			}
			s := mustCollectApps(t, f.clients(), AppSelector{Namespace: "argocd"}, testCollectOptions())
			if !s.Has(Live) {
				t.Error("Live unread")
			}
			for i, r := range []argocd.ResourceStatus{web, gone, widget} {
				obj, known := s.LiveObject(&s.Applications[0], r)
				if got := (state{known: known, present: obj != nil}); got != tt.want[i] {
					t.Errorf("%s: %+v, want %+v", r.Name, got, tt.want[i])
				}
			}
			problems := problemsOf(t, s, Live)
			if !slices.Equal(problems, tt.wantProblems) {
				t.Errorf("problems %+v, want %+v", problems, tt.wantProblems)
			}
			if gvr, ok := s.Resources[deploymentsGK]; ok != tt.wantListed || ok && gvr != deploymentsResource {
				t.Errorf("Resources[Deployment] = %v, %v; want listed %v", gvr, ok, tt.wantListed)
			}
		})
	}
}
