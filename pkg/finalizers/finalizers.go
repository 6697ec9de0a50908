// Package finalizers knows who owns a finalizer, which are Argo CD's, and
// the guarded JSON patch that removes some. It imports no client-go.
package finalizers

import (
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// Finalizers that Kubernetes itself owns, with who removes them and when.
var owners = map[string]string{
	"kubernetes.io/pvc-protection": "kube-controller-manager (pvc-protection) removes it once no Pod uses the claim",
	"kubernetes.io/pv-protection":  "kube-controller-manager (pv-protection) removes it once no claim is bound to the volume",
	"foregroundDeletion":           "the garbage collector removes it once every dependent (owned object) is gone",
	"orphan":                       "the garbage collector removes it after orphaning the dependents",
	"kubernetes":                   "the namespace controller removes it once the namespace is empty",
	"customresourcecleanup.apiextensions.k8s.io":    "kube-apiserver removes it once every instance of the CRD is deleted",
	argocd.HookFinalizer:                            "the Argo CD application-controller removes it when the hook has run",
	"resources-finalizer.argocd.argoproj.io":        "the Argo CD application-controller removes it after deleting the app's resources (or, on an AppProject, once no app references it)",
	"batch.kubernetes.io/job-tracking":              "the Job controller removes it once it has counted the Pod",
	"service.kubernetes.io/load-balancer-cleanup":   "the cloud controller manager removes it after deleting the load balancer",
	"external-attacher/csi":                         "the CSI external-attacher removes it after detaching the volume",
	"kubernetes.io/legacy-service-account-token":    "kube-controller-manager removes it",
	"snapshot.storage.kubernetes.io/volumesnapshot": "the snapshot controller removes it",
}

// Owner says who is expected to remove a finalizer. Finalizers
// are conventionally prefixed with the domain of the controller that owns
// them, which is all we can say about the unknown ones.
func Owner(f string) string {
	if owner, ok := owners[f]; ok {
		return owner
	}
	if argocd.IsArgoFinalizer(f) {
		return "the Argo CD application-controller removes it when its deletion step is done"
	}
	if domain, _, ok := strings.Cut(f, "/"); ok && strings.Contains(domain, ".") {
		return fmt.Sprintf("the controller of %s removes it; it is not running or cannot finish", domain)
	}
	return "owner unknown: find the controller that added it"
}

// Format renders a finalizer list the way kubectl prints it.
func Format(finalizers []string) string {
	if len(finalizers) == 0 {
		return "[]"
	}
	return "[" + strings.Join(finalizers, ", ") + "]"
}

// Foreign are the finalizers not owned by Argo CD. The garbage
// collector's own (foregroundDeletion, orphan) only follow from the others
// when any are present: Kubernetes adds foregroundDeletion next to the real
// holder when Argo CD deletes in the foreground, so blaming it would mislead.
func Foreign(finalizers []string) []string {
	var out, gc []string
	for _, f := range finalizers {
		switch {
		case argocd.IsArgoFinalizer(f), f == argocd.HookFinalizer:
		case f == metav1.FinalizerDeleteDependents || f == metav1.FinalizerOrphanDependents:
			gc = append(gc, f)
		default:
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return gc
	}
	return out
}

// RemovalPatch is the guarded JSON patch that removes finalizers: it first
// tests the exact list as diagnosed, so that the API server refuses it if
// anything changed meanwhile, then removes the list, or replaces it with
// keep when keep is not empty.
func RemovalPatch(current, keep []string) []map[string]any {
	ops := []map[string]any{{"op": "test", "path": "/metadata/finalizers", "value": nonNil(current)}}
	if len(keep) == 0 {
		return append(ops, map[string]any{"op": "remove", "path": "/metadata/finalizers"})
	}
	return append(ops, map[string]any{"op": "replace", "path": "/metadata/finalizers", "value": keep})
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// Without returns list without the finalizers in drop, in order.
func Without(list, drop []string) []string {
	var out []string
	for _, f := range list {
		if !slices.Contains(drop, f) {
			out = append(out, f)
		}
	}
	return out
}
