package diagnose

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/argocdserver"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckGhostPods(t *testing.T) {
	app := testApp("shop", func(a *argocd.Application) {
		a.Status.Resources = []argocd.ResourceStatus{resource("apps", "Deployment", "shop", "web")}
	})
	remote := testApp("far", func(a *argocd.Application) {
		a.Spec.Destination = argocd.Destination{Server: "https://far.example.com", Namespace: "shop"}
		a.Status.Resources = []argocd.ResourceStatus{resource("apps", "Deployment", "shop", "web")}
	})
	rsRef := argocdserver.Ref{Group: "apps", Kind: "ReplicaSet", Namespace: "shop", Name: "web-5d8f", UID: "rs1"}
	tree := func(pods ...argocdserver.Node) argocdserver.Tree {
		t := argocdserver.Tree{Nodes: []argocdserver.Node{
			{Ref: argocdserver.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web", UID: "d1"}},
			{Ref: rsRef, ParentRefs: []argocdserver.Ref{{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web", UID: "d1"}}},
		}}
		t.Nodes = append(t.Nodes, pods...)
		return t
	}
	podNode := func(name, uid string) argocdserver.Node {
		return argocdserver.Node{Ref: argocdserver.Ref{Version: "v1", Kind: "Pod", Namespace: "shop", Name: name, UID: uid}, ParentRefs: []argocdserver.Ref{rsRef}}
	}
	livePod := func(name, uid string) corev1.Pod {
		return corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", UID: types.UID(uid), CreationTimestamp: metav1.NewTime(testNow),
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-5d8f"}}}}
	}
	sts := snapshot.Workload{Kind: "StatefulSet", Namespace: "argocd", Name: "argocd-application-controller", UID: "c1", Generation: 3, HasTemplateAnnotations: true}
	inClusterSecret := argocd.Cluster{Server: argocd.InClusterServer, Name: "in-cluster", SecretNamespace: "argocd", SecretName: "cluster-in"}
	snap := func(apps []argocd.Application, version string, trees map[snapshot.AppKey]argocdserver.Tree, workloads []snapshot.Workload, pods ...corev1.Pod) *snapshot.Snapshot {
		s := testSnapshot(apps...)
		s.Pods, s.Read[snapshot.Pods] = pods, true
		s.ArgoCDServer = &snapshot.ServerView{Server: "argocd.example.com", Version: version, Trees: trees, ControllerWorkloads: workloads}
		s.Read[snapshot.ArgoCDServer], s.Read[snapshot.ControllerWorkloads] = true, true
		return s
	}
	shop := snapshot.AppKey{Namespace: "argocd", Name: "shop"}
	one := []argocd.Application{app}
	withSecret := snap(one, "v2.14.21+abc", map[snapshot.AppKey]argocdserver.Tree{shop: tree(podNode("web-5d8f-gone", "p1"), podNode("web-5d8f-live", "p2"))},
		[]snapshot.Workload{sts}, livePod("web-5d8f-live", "p2"), livePod("web-5d8f-new", "p3"))
	withSecret.Clusters = []argocd.Cluster{inClusterSecret}
	forbidden := snap(one, "v2.14.21", map[snapshot.AppKey]argocdserver.Tree{shop: tree(podNode("web-5d8f-gone", "p1"))}, nil)
	forbidden.Problems = []snapshot.ReadProblem{{Verb: "list", Resource: "pods", Namespace: "shop", Source: snapshot.Pods}}
	noServer := testSnapshot(app)
	noServer.Read[snapshot.Pods] = true
	treeUnread := snap(one, "v2.14.21", map[snapshot.AppKey]argocdserver.Tree{}, nil)
	delete(treeUnread.Read, snapshot.ArgoCDServer)

	runCheckCases(t, "ghost-pods", []checkCase{
		{
			name:     "a deleted pod still in the tree",
			snapshot: withSecret,
			want:     []string{"ghost-pods shop"},
			wantText: []string{
				"still shows 1 pod the cluster no longer has (the application-controller's cache missed the deletion): shop/web-5d8f-gone",
				"argocd-server argocd.example.com, Argo CD v2.14.21+abc: it predates the upstream fix (v3.3.13, v3.4.5, v3.5.0 and later)",
				"the resource tree of shop lists 2 pods in namespaces whose pods were listed; missing from the cluster: 1",
				"tree: Pod shop/web-5d8f-gone uid p1, owner ReplicaSet web-5d8f of Deployment web; cluster: no such pod",
				"cluster: ReplicaSet web-5d8f owns 2 pods now: web-5d8f-live, web-5d8f-new",
				"kubectl.kubernetes.io~1restartedAt", `"value":"c1"`, "argocd.argoproj.io/refresh",
			},
			notText:   []string{"web-5d8f-live uid"},
			wantFixes: []string{"restart-controller", "invalidate-cache"},
		},
		{
			name: "a pod recreated under the same name with another UID (StatefulSet-like), fixed version",
			snapshot: snap(one, "v3.4.5+def", map[snapshot.AppKey]argocdserver.Tree{shop: tree(podNode("web-0", "old"))},
				[]snapshot.Workload{sts}, livePod("web-0", "new")),
			want: []string{"ghost-pods shop"},
			wantText: []string{
				"tree: Pod shop/web-0 uid old, owner ReplicaSet web-5d8f of Deployment web; cluster: a pod of that name with uid new",
				"it carries the upstream fix (v3.3.13, v3.4.5, v3.5.0 and later), yet the tree is stale",
			},
			wantFixes: []string{"restart-controller"},
		},
		{
			name:      "no controller workload found: advice without a fix",
			snapshot:  snap(one, "", map[snapshot.AppKey]argocdserver.Tree{shop: tree(podNode("web-5d8f-gone", "p1"))}, nil),
			want:      []string{"ghost-pods shop"},
			wantText:  []string{"Argo CD version unknown: whether it carries the upstream fix", "restart the application-controller where it runs"},
			wantFixes: []string{},
		},
		{
			name: "tree and cluster agree: silent",
			snapshot: snap(one, "v2.14.21", map[snapshot.AppKey]argocdserver.Tree{shop: tree(podNode("web-5d8f-live", "p2"))},
				[]snapshot.Workload{sts}, livePod("web-5d8f-live", "p2"), livePod("web-5d8f-new", "p3")),
			want: []string{},
		},
		{
			name:     "pods of the namespace could not be listed: silent",
			snapshot: forbidden,
			want:     []string{},
		},
		{
			name: "app on another cluster: silent",
			snapshot: snap([]argocd.Application{remote}, "v2.14.21",
				map[snapshot.AppKey]argocdserver.Tree{{Namespace: "argocd", Name: "far"}: tree(podNode("web-5d8f-gone", "p1"))}, nil),
			want: []string{},
		},
		{
			name: "a pod of another namespace than the app's: silent (not listed)",
			snapshot: snap(one, "v2.14.21", map[snapshot.AppKey]argocdserver.Tree{shop: {Nodes: []argocdserver.Node{
				{Ref: argocdserver.Ref{Kind: "Pod", Namespace: "elsewhere", Name: "x", UID: "u"}}}}}, nil),
			want: []string{},
		},
		{name: "no argocd-server configured: skipped", snapshot: noServer, want: []string{}},
		{name: "tree not read: skipped", snapshot: treeUnread, want: []string{}},
	})
}

func TestHasGhostPodsFix(t *testing.T) {
	for v, want := range map[string]bool{
		"v2.14.21+a1b2c3d": false, "v3.3.12": false, "v3.3.13": true, "v3.4.4": false, "v3.4.5": true,
		"v3.5.0-rc1": true, "v3.6.1": true, "v4.0.0": true, "v3.2.9": false, "v3.0.0": false,
	} {
		major, minor, patch, ok := parseVersion(v)
		if !ok || hasGhostPodsFix(major, minor, patch) != want {
			t.Errorf("%s: ok %v, fixed %v, want %v", v, ok, hasGhostPodsFix(major, minor, patch), want)
		}
	}
	if _, _, _, ok := parseVersion("devel"); ok {
		t.Error("devel parsed")
	}
}
