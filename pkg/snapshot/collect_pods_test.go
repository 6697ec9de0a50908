package snapshot

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
)

// TestCollectPodsPartly: a namespace whose pods may not be listed is named
// in a ReadProblem, and the pods of the other namespaces are kept; only
// when no namespace could be read does Pods stay unread.
func TestCollectPodsPartly(t *testing.T) {
	// Apps in argocd deploying to team-a and team-b: the two namespaces
	// they deploy to, listed one by one; not argocd, where the apps only
	// live (its pods are Argo CD's, no evidence about the apps).
	apps := []runtime.Object{
		testApplication("argocd", "web", "default", "team-a"),
		testApplication("argocd", "api", "default", "team-b"),
	}
	kube := []runtime.Object{
		testNamespace("argocd"), testNamespace("team-a"), testNamespace("team-b"),
		testPod("argocd", "repo-server"), testPod("team-a", "web-1"), testPod("team-b", "api-1"),
	}
	tests := []struct {
		name         string
		forbidden    []string
		wantPods     []string
		wantRead     bool
		wantProblems []ReadProblem
	}{
		{
			name:     "all readable",
			wantPods: []string{"team-a/web-1", "team-b/api-1"}, wantRead: true,
		},
		{
			name: "one namespace forbidden", forbidden: []string{"team-b"},
			wantPods: []string{"team-a/web-1"}, wantRead: true,
			wantProblems: []ReadProblem{{Verb: "list", Resource: "pods", Namespace: "team-b", Source: Pods}},
		},
		{
			name: "every namespace forbidden", forbidden: []string{"argocd", "team-a", "team-b"},
			wantRead: false,
			wantProblems: []ReadProblem{
				{Verb: "list", Resource: "pods", Namespace: "team-a", Source: Pods},
				{Verb: "list", Resource: "pods", Namespace: "team-b", Source: Pods},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(kube, apps...)
			f.forbidKube("list", "pods", func(a k8stesting.Action) bool {
				return slices.Contains(tt.forbidden, a.GetNamespace())
			})
			s := mustCollectApps(t, f.clients(), AppSelector{Namespace: "argocd"}, testCollectOptions())
			var got []string
			for _, p := range s.Pods {
				got = append(got, p.Namespace+"/"+p.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.wantPods) {
				t.Errorf("pods %v, want %v", got, tt.wantPods)
			}
			if s.Has(Pods) != tt.wantRead {
				t.Errorf("Has(Pods) = %v, want %v", s.Has(Pods), tt.wantRead)
			}
			if got := problemsOf(t, s, Pods); !slices.Equal(got, tt.wantProblems) {
				t.Errorf("problems %+v, want %+v", got, tt.wantProblems)
			}
		})
	}
}

// TestCollectNodesForTerminatingPods: nodes are read only when a pod hangs
// in deletion, and a refused node list leaves Nodes unread.
func TestCollectNodesForTerminatingPods(t *testing.T) {
	terminating := testPod("team-a", "web-1")
	terminating.DeletionTimestamp = &metav1.Time{Time: testNow.Add(-10 * time.Minute)}
	terminating.Finalizers = []string{"example.com/hold"}
	tests := []struct {
		name        string
		pod         runtime.Object
		forbid      bool
		wantRead    bool
		wantNodes   int
		wantProblem bool
	}{
		{name: "no pod terminating", pod: testPod("team-a", "web-1")},
		{name: "a pod terminating", pod: terminating, wantRead: true, wantNodes: 1},
		{name: "a pod terminating, nodes forbidden", pod: terminating, forbid: true, wantProblem: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI([]runtime.Object{testNamespace("argocd"), testNamespace("team-a"), tt.pod, testNode("kind-worker")},
				testApplication("argocd", "web", "default", "team-a"))
			if tt.forbid {
				f.forbidKube("list", "nodes", nil)
			}
			s := mustCollectApps(t, f.clients(), AppSelector{Namespace: "argocd"}, testCollectOptions())
			if s.Has(Nodes) != tt.wantRead || len(s.Nodes) != tt.wantNodes {
				t.Errorf("Has(Nodes) = %v with %d nodes, want %v with %d", s.Has(Nodes), len(s.Nodes), tt.wantRead, tt.wantNodes)
			}
			if got := len(problemsOf(t, s, Nodes)) > 0; got != tt.wantProblem {
				t.Errorf("Nodes problem recorded: %v, want %v", got, tt.wantProblem)
			}
		})
	}
}
