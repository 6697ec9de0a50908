package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// CRDResource is the API resource of CustomResourceDefinitions.
var CRDResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

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

// argoCRDsByLabel lists, with one request, the CRDs Argo CD labels as
// its own, trimmed as getCRD trims them. It gives none when the list
// cannot be made (a fake client) or fails: each CRD is then read by name,
// which says what is wrong.
func argoCRDsByLabel(ctx context.Context, c Clients) map[string]*unstructured.Unstructured {
	rc := restClientOf(c)
	if rc == nil {
		return nil
	}
	data, err := rc.Get().AbsPath("/apis", CRDResource.Group, CRDResource.Version, CRDResource.Resource).
		Param("labelSelector", argocd.CRDLabelSelector).SetHeader("Accept", "application/json").Do(ctx).Raw()
	if err != nil {
		return nil
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nil
	}
	out := map[string]*unstructured.Unstructured{}
	for _, item := range list.Items {
		var named struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(item, &named); err != nil || !slices.Contains(argocd.CRDNames, named.Metadata.Name) {
			continue
		}
		if crd, err := trimCRD(named.Metadata.Name, item); err == nil {
			out[named.Metadata.Name] = crd
		}
	}
	return out
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

// collectCRDs reads Argo CD's three CRDs: an uninstall half done leaves
// them Terminating. One LIST by Argo CD's label finds them as installed;
// one it does not find (unlabelled, or not installed) is read by name.
// Each keeps only what the checks read (getCRD).
func collectCRDs(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	labelled := argoCRDsByLabel(ctx, c)
	for _, name := range argocd.CRDNames {
		if crd, ok := labelled[name]; ok {
			s.ArgoCRDs = append(s.ArgoCRDs, *crd)
			continue
		}
		crd, err := getCRD(ctx, c, name)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case apierrors.IsForbidden(err):
			rec.failed(ReadProblem{Verb: "get", Resource: "customresourcedefinitions.apiextensions.k8s.io", Error: err.Error(), Source: CRDs})
			return nil
		case err != nil:
			return fmt.Errorf("get CRD %s: %w", name, err)
		}
		s.ArgoCRDs = append(s.ArgoCRDs, *crd)
	}
	rec.done(CRDs)
	return nil
}
