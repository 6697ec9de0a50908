package snapshot

import (
	"context"
	"errors"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/argocdserver"
)

type fakeServer struct {
	trees    map[AppKey]argocdserver.Tree
	requests []AppKey
}

func (f *fakeServer) Version(context.Context) (argocdserver.Version, error) {
	return argocdserver.Version{Version: "v2.14.21"}, nil
}

func (f *fakeServer) ResourceTree(_ context.Context, ns, name string) (argocdserver.Tree, error) {
	f.requests = append(f.requests, AppKey{Namespace: ns, Name: name})
	t, ok := f.trees[AppKey{Namespace: ns, Name: name}]
	if !ok {
		return t, errors.New("HTTP 403: permission denied")
	}
	return t, nil
}

func TestCollectServer(t *testing.T) {
	controller := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "argocd-application-controller", Namespace: "argocd", UID: "c1", Generation: 4,
		Labels: map[string]string{"app.kubernetes.io/name": "argocd-application-controller"}}}
	other := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "argocd-server", Namespace: "argocd",
		Labels: map[string]string{"app.kubernetes.io/name": "argocd-server"}}}
	api := newFakeAPI([]runtime.Object{controller, other})
	tree := argocdserver.Tree{Nodes: []argocdserver.Node{{Ref: argocdserver.Ref{Kind: "Pod", Namespace: "web", Name: "web-1", UID: "p1"}}}}
	server := &fakeServer{trees: map[AppKey]argocdserver.Tree{{Namespace: "argocd", Name: "web"}: tree}}
	s := &Snapshot{ArgoCDNamespace: "argocd", Read: map[Source]bool{},
		Applications: []argocd.Application{{ObjectMeta: metav1.ObjectMeta{Namespace: "argocd", Name: "web"}}, {ObjectMeta: metav1.ObjectMeta{Namespace: "argocd", Name: "secret-app"}}}}
	CollectServer(t.Context(), api.clients(), server, "argocd.example.com", s)

	if len(server.requests) != 2 {
		t.Errorf("one tree request per app, got %v", server.requests)
	}
	v := s.ArgoCDServer
	if v == nil || v.Version != "v2.14.21" || v.Server != "argocd.example.com" || len(v.Trees) != 1 || len(v.Trees[AppKey{Namespace: "argocd", Name: "web"}].Nodes) != 1 {
		t.Fatalf("view = %+v", v)
	}
	if !s.Has(ArgoCDServer) || !s.Has(ControllerWorkloads) {
		t.Errorf("read = %v", s.Read)
	}
	if p := problemsOf(t, s, ArgoCDServer); len(p) != 1 || p[0].Namespace != "argocd" {
		t.Errorf("problems = %+v", s.Problems)
	}
	if w := v.ControllerWorkloads; len(w) != 1 || w[0].Kind != "StatefulSet" || w[0].UID != "c1" || w[0].Generation != 4 || w[0].HasTemplateAnnotations {
		t.Errorf("workloads = %+v", w)
	}

	// Workloads forbidden: the trees are still read, the source is not.
	api = newFakeAPI(nil)
	api.forbidKube("list", "statefulsets", nil)
	s = &Snapshot{ArgoCDNamespace: "argocd", Read: map[Source]bool{}, Applications: []argocd.Application{{ObjectMeta: metav1.ObjectMeta{Namespace: "argocd", Name: "web"}}}}
	CollectServer(t.Context(), api.clients(), server, "x", s)
	if !s.Has(ArgoCDServer) || s.Has(ControllerWorkloads) || len(problemsOf(t, s, ControllerWorkloads)) != 1 {
		t.Errorf("read %v, problems %+v", s.Read, s.Problems)
	}
}
