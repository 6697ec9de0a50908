package diagnose

import (
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// Finalizers that Kubernetes itself owns, with who removes them and when.
var finalizerOwners = map[string]string{
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

// finalizerOwner says who is expected to remove a finalizer. Finalizers
// are conventionally prefixed with the domain of the controller that owns
// them, which is all we can say about the unknown ones.
func finalizerOwner(f string) string {
	if owner, ok := finalizerOwners[f]; ok {
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

// formatFinalizers renders a finalizer list the way kubectl prints it.
func formatFinalizers(finalizers []string) string {
	if len(finalizers) == 0 {
		return "[]"
	}
	return "[" + strings.Join(finalizers, ", ") + "]"
}

// foreignFinalizers are the finalizers not owned by Argo CD. The garbage
// collector's own (foregroundDeletion, orphan) only follow from the others
// when any are present: Kubernetes adds foregroundDeletion next to the real
// holder when Argo CD deletes in the foreground, so blaming it would mislead.
func foreignFinalizers(finalizers []string) []string {
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

// kubectlResource is how kubectl names a kind: lower-case kind, qualified
// with its group unless it is the core group.
func kubectlResource(group, kind string) string {
	switch {
	case group == "argoproj.io" && kind == "Application":
		return "applications.argoproj.io"
	case group == "argoproj.io" && kind == "AppProject":
		return "appprojects.argoproj.io"
	case group == "":
		return strings.ToLower(kind)
	}
	return strings.ToLower(kind) + "." + group
}

// patchFinalizersCommand is a kubectl patch that first tests the exact
// finalizer list as diagnosed (so that nothing changed meanwhile) and then
// removes the finalizers, keeping the ones in keep when any.
func patchFinalizersCommand(resource, namespace, name string, current, keep []string) string {
	ops := []map[string]any{{"op": "test", "path": "/metadata/finalizers", "value": nonNil(current)}}
	if len(keep) == 0 {
		ops = append(ops, map[string]any{"op": "remove", "path": "/metadata/finalizers"})
	} else {
		ops = append(ops, map[string]any{"op": "replace", "path": "/metadata/finalizers", "value": keep})
	}
	patch, err := json.Marshal(ops)
	if err != nil {
		// Strings and maps of strings always marshal.
		patch = []byte("[]")
	}
	ns := ""
	if namespace != "" {
		ns = "-n " + namespace + " "
	}
	return fmt.Sprintf("kubectl %spatch %s %s --type json -p '%s'", ns, resource, name, patch)
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// removeFinalizersFix is the remove-finalizers plan for one object, naming
// who should have removed each finalizer.
func removeFinalizersFix(ref ObjectRef, finalizers []string, risk, why string) Fix {
	var owners []string
	for _, f := range finalizers {
		owners = append(owners, fmt.Sprintf("%s (%s)", f, finalizerOwner(f)))
	}
	desc := fmt.Sprintf("remove the finalizers of %s: %s", ref, strings.Join(owners, "; "))
	if why != "" {
		desc += ". " + why
	}
	return Fix{
		ID:          "remove-finalizers",
		Risk:        risk,
		Description: desc,
		Command:     patchFinalizersCommand(kubectlResource(ref.Group, ref.Kind), ref.Namespace, ref.Name, finalizers, nil),
	}
}
