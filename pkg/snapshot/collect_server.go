package snapshot

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/argocdserver"
)

// ServerReader is what argofix reads from argocd-server
// (argocdserver.Client; a fake in tests).
type ServerReader interface {
	Version(ctx context.Context) (argocdserver.Version, error)
	ResourceTree(ctx context.Context, appNamespace, name string) (argocdserver.Tree, error)
}

// AppKey identifies an Application.
type AppKey struct{ Namespace, Name string }

// ServerView is what argocd-server told about the selected apps: their
// resource trees, which only the application-controller's cache holds and
// argocd-server serves (they are no Kubernetes object), and its version.
// Read only when a server is configured (--argocd-server or the argocd
// CLI's config); nil otherwise.
type ServerView struct {
	Server  string
	Version string
	// Trees are the resource trees of the selected apps, one GET each.
	Trees map[AppKey]argocdserver.Tree
	// ControllerWorkloads are the application-controller's StatefulSets
	// and Deployments in the Argo CD namespace (ControllerWorkloads), for
	// the restart fix.
	ControllerWorkloads []Workload
}

// Workload is a Deployment or StatefulSet as a restart fix needs it.
type Workload struct {
	Kind                   string
	Namespace, Name, UID   string
	Generation             int64
	HasTemplateAnnotations bool
}

// CollectServer reads, through argocd-server, the resource tree of every
// app of s (one request per app: the API has no list of trees) and the
// server's version, and lists the application-controller's workloads. A
// tree that cannot be read is a ReadProblem of ArgoCDServer; nothing here
// fails the diagnosis.
func CollectServer(ctx context.Context, c Clients, server ServerReader, address string, s *Snapshot) {
	rec := newRecorder()
	view := &ServerView{Server: address, Trees: map[AppKey]argocdserver.Tree{}}
	s.ArgoCDServer = view
	if v, err := server.Version(ctx); err != nil {
		rec.failed(ReadProblem{Verb: "get", Resource: "argocd-server /api/version", Error: err.Error()})
	} else {
		view.Version = v.Version
	}
	for _, app := range s.Applications {
		tree, err := server.ResourceTree(ctx, app.Namespace, app.Name)
		if err != nil {
			rec.failed(ReadProblem{Verb: "get", Resource: "argocd-server resource-tree of " + app.Name, Namespace: app.Namespace, Error: err.Error(), Source: ArgoCDServer})
			continue
		}
		view.Trees[AppKey{Namespace: app.Namespace, Name: app.Name}] = tree
		rec.done(ArgoCDServer)
	}
	collectControllerWorkloads(ctx, c, s.ArgoCDNamespace, view, rec)
	rec.fill(s)
}

// collectControllerWorkloads lists the application-controller's
// StatefulSets and Deployments by their label.
func collectControllerWorkloads(ctx context.Context, c Clients, ns string, view *ServerView, rec *recorder) {
	opts := metav1.ListOptions{LabelSelector: argocd.ControllerSelector}
	sets, err := listPaged[appsv1.StatefulSet](ctx, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		return c.Kube.AppsV1().StatefulSets(ns).List(ctx, o)
	}, opts)
	if err != nil {
		rec.failed(ReadProblem{Verb: "list", Resource: "statefulsets.apps", Namespace: ns, Error: err.Error(), Source: ControllerWorkloads})
		return
	}
	deps, err := listPaged[appsv1.Deployment](ctx, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		return c.Kube.AppsV1().Deployments(ns).List(ctx, o)
	}, opts)
	if err != nil {
		rec.failed(ReadProblem{Verb: "list", Resource: "deployments.apps", Namespace: ns, Error: err.Error(), Source: ControllerWorkloads})
		return
	}
	for _, d := range sets {
		view.ControllerWorkloads = append(view.ControllerWorkloads, workloadOf("StatefulSet", d.ObjectMeta, d.Spec.Template.Annotations))
	}
	for _, d := range deps {
		view.ControllerWorkloads = append(view.ControllerWorkloads, workloadOf("Deployment", d.ObjectMeta, d.Spec.Template.Annotations))
	}
	rec.done(ControllerWorkloads)
}

func workloadOf(kind string, m metav1.ObjectMeta, templateAnnotations map[string]string) Workload {
	return Workload{Kind: kind, Namespace: m.Namespace, Name: m.Name, UID: string(m.UID), Generation: m.Generation,
		HasTemplateAnnotations: len(templateAnnotations) > 0}
}
