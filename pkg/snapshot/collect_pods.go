package snapshot

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// collectPods reads the pods of the apps' namespaces (or of the cluster),
// and the nodes when a pod hangs in deletion, for the stale-pods check.
func collectPods(ctx context.Context, c Clients, s *Snapshot, namespaces []string, all bool, rec *recorder) error {
	scopes := namespaces
	if all || len(namespaces) > perNamespaceListLimit {
		scopes = []string{metav1.NamespaceAll}
	}
	for _, ns := range scopes {
		pods, err := listPods(ctx, c, ns, "")
		if apierrors.IsForbidden(err) {
			// Keep what the other namespaces give; the report names this one.
			rec.failed(ReadProblem{Verb: "list", Resource: "pods", Namespace: ns, Error: err.Error(), Source: Pods})
			continue
		}
		if err != nil {
			return fmt.Errorf("list pods%s: %w", inNamespace(ns), err)
		}
		s.Pods = append(s.Pods, pods...)
		rec.done(Pods)
	}
	for _, p := range s.Pods {
		if p.DeletionTimestamp == nil {
			continue
		}
		nodes, err := c.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if apierrors.IsForbidden(err) {
			rec.failed(ReadProblem{Verb: "list", Resource: "nodes", Error: err.Error(), Source: Nodes})
			return nil
		}
		if err != nil {
			return fmt.Errorf("list nodes: %w", err)
		}
		s.Nodes = nodes.Items
		rec.done(Nodes)
		return nil
	}
	return nil
}

func listPods(ctx context.Context, c Clients, ns, selector string) ([]corev1.Pod, error) {
	return listPaged[corev1.Pod](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return c.Kube.CoreV1().Pods(ns).List(ctx, opts)
	}, metav1.ListOptions{LabelSelector: selector})
}

// collectController reads the application-controller's pods: a deletion
// or refresh that never finishes may simply have no controller.
func collectController(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	if s.Has(Controller) {
		return nil // listed while looking for the installation (CollectOptions.ControllerPods)
	}
	pods, err := listPods(ctx, c, s.ArgoCDNamespace, argocd.ControllerSelector)
	return useController(s, pods, err, rec)
}

// useController takes the result of listing the controller's pods.
func useController(s *Snapshot, pods []corev1.Pod, err error, rec *recorder) error {
	if apierrors.IsForbidden(err) {
		rec.failed(ReadProblem{Verb: "list", Resource: "pods", Namespace: s.ArgoCDNamespace, Error: err.Error(), Source: Controller})
		return nil
	}
	if err != nil {
		return fmt.Errorf("list application-controller pods: %w", err)
	}
	s.ControllerPods = pods
	rec.done(Controller)
	return nil
}
