package diagnose

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkNamespaceTerminating reports Namespaces Terminating longer than
// StuckAfter, with what still holds them: every remaining object and its
// finalizers, the namespace controller's conditions, and API groups whose
// discovery fails.
func checkNamespaceTerminating(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Namespaces {
		ns := &s.Namespaces[i]
		if ns.DeletionTimestamp == nil || !olderThan(s.Now, ns.DeletionTimestamp.Time, s.StuckAfter) {
			continue
		}
		findings = append(findings, namespaceTerminatingFinding(s, ns))
	}
	return findings
}

func namespaceTerminatingFinding(s *snapshot.Snapshot, ns *corev1.Namespace) report.Finding {
	deleted := ns.DeletionTimestamp.Time
	f := report.Finding{
		ID:       "namespace-terminating",
		Severity: report.SeverityError,
		Object:   report.ObjectRef{Kind: "Namespace", Name: ns.Name},
		Docs:     report.DocsURL("namespace-terminating"),
		Since:    timePtr(deleted),
	}
	var specFinalizers []string
	for _, fin := range ns.Spec.Finalizers {
		specFinalizers = append(specFinalizers, string(fin))
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("Namespace %s: metadata.deletionTimestamp %s (%s ago), status.phase %s, spec.finalizers %s, metadata.finalizers %s",
		ns.Name, report.FormatTime(deleted), formatAge(s.Now.Sub(deleted)), ns.Status.Phase, finalizers.Format(specFinalizers), finalizers.Format(ns.Finalizers)))
	for _, c := range ns.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("condition %s=True (%s) since %s: %s", c.Type, c.Reason, report.FormatTime(c.LastTransitionTime.Time), c.Message))
	}

	summary := fmt.Sprintf("Namespace has been Terminating for %s", formatAge(s.Now.Sub(deleted)))
	var causes []string
	var apiFixes, objectFixes, appFixes []report.Fix

	for _, d := range s.DiscoveryFailures {
		name := apiServiceName(d.GroupVersion)
		f.Evidence = append(f.Evidence, fmt.Sprintf("discovery of %s failed (APIService %s): %s", d.GroupVersion, name, d.Error))
		causes = append(causes, fmt.Sprintf("APIService %s is unavailable, so the namespace controller cannot list its kinds", name))
		apiFixes = append(apiFixes, report.NewFix("delete-apiservice", "high",
			fmt.Sprintf("APIService %s is unavailable: restore the Service behind it (kubectl get apiservice %s -o yaml names it); only if its extension was uninstalled, delete the stale APIService",
				name, name),
			actionOn(report.VerbDelete, apiServicesResource, report.ObjectRef{Group: apiServicesResource.Group, Kind: "APIService", Name: name})))
	}

	contents, read := s.NamespaceContents[ns.Name]
	read = read || s.NamespaceContents != nil
	unread := s.NamespaceUnread[ns.Name]
	if len(unread) > 0 {
		sort.Strings(unread)
		f.Evidence = append(f.Evidence, "not listed (forbidden): "+strings.Join(unread, ", "))
		causes = append(causes, fmt.Sprintf("%s could not be listed, so what remains of them is unknown", plural(len(unread), "resource type")))
	}
	switch {
	case !read:
		causes = append(causes, "its remaining contents were not read")
	case len(contents) == 0 && len(unread) > 0:
		// Nothing seen is not nothing there.
	case len(contents) == 0 && len(specFinalizers) == 0 && len(ns.Finalizers) > 0:
		// The namespace controller is done; the Namespace's own finalizers hold it.
		causes = append(causes, fmt.Sprintf("nothing remains in it; its own metadata.finalizers %s hold it", finalizers.Format(ns.Finalizers)))
		objectFixes = append(objectFixes, removeFinalizersFix(namespacesResource, report.ObjectRef{Kind: "Namespace", Name: ns.Name}, ns.Finalizers, "medium", ""))
	case len(contents) == 0:
		causes = append(causes, fmt.Sprintf("nothing remains in it, yet spec.finalizers %s is not removed (is kube-controller-manager's namespace controller running?)", finalizers.Format(specFinalizers)))
	default:
		sorted := append([]unstructured.Unstructured(nil), contents...)
		sort.SliceStable(sorted, func(i, j int) bool {
			a, b := contentKind(&sorted[i]), contentKind(&sorted[j])
			if a != b {
				return a < b
			}
			return sorted[i].GetName() < sorted[j].GetName()
		})
		kinds := map[string]int{}
		var kindOrder []string
		held := map[string]bool{}
		var heldOrder []string
		for i := range sorted {
			obj := &sorted[i]
			kind := contentKind(obj)
			if kinds[kind] == 0 {
				kindOrder = append(kindOrder, kind)
			}
			kinds[kind]++
			f.Evidence = append(f.Evidence, remainingObjectEvidence(s, obj))
			fins := obj.GetFinalizers()
			for _, fin := range fins {
				if !held[fin] {
					held[fin] = true
					heldOrder = append(heldOrder, fin)
				}
			}
			gvk := obj.GroupVersionKind()
			gvr, known := resourceOf(s, gvk.Group, gvk.Kind)
			if len(fins) == 0 || !known {
				continue
			}
			ref := report.ObjectRef{Group: gvk.Group, Kind: gvk.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
			if gvk.Group == argocd.Group && gvk.Kind == "Application" {
				appFixes = append(appFixes, removeFinalizersFix(gvr, ref, fins, "high", fmt.Sprintf(
					"Handle it as app-deletion-stuck first (kubectl argofix diagnose app -n %s %s): stripping Argo CD's finalizer orphans the app's resources",
					ref.Namespace, ref.Name)))
			} else {
				objectFixes = append(objectFixes, removeFinalizersFix(gvr, ref, fins, "medium", ""))
			}
		}
		var counts []string
		for _, k := range kindOrder {
			counts = append(counts, fmt.Sprintf("%d %s", kinds[k], k))
		}
		c := fmt.Sprintf("%s remain (%s)", plural(len(sorted), "object"), strings.Join(counts, ", "))
		if len(heldOrder) > 0 {
			c += " held by finalizers " + strings.Join(heldOrder, ", ")
		}
		causes = append(causes, c)
	}
	f.Summary = summary + ": " + strings.Join(causes, "; ")

	f.Fixes = append(f.Fixes, apiFixes...)
	f.Fixes = append(f.Fixes, objectFixes...)
	f.Fixes = append(f.Fixes, appFixes...)
	if read && len(contents) == 0 && len(unread) == 0 && len(specFinalizers) > 0 {
		risk := "medium"
		desc := fmt.Sprintf("nothing remains in namespace %s: clear its spec.finalizers through the finalize subresource (patching metadata.finalizers does nothing for them)", ns.Name)
		if len(s.DiscoveryFailures) > 0 {
			risk = "high"
			desc += "; objects of the undiscoverable API groups above cannot be seen and would be left behind in storage"
		}
		f.Fixes = append(f.Fixes, report.NewFix("finalize-namespace", risk, desc, finalizeNamespaceAction(ns)))
	}
	return f
}

// contentKind names an object's kind the way kubectl does: Kind.group.
func contentKind(obj *unstructured.Unstructured) string {
	gvk := obj.GroupVersionKind()
	if gvk.Group == "" {
		return gvk.Kind
	}
	return gvk.Kind + "." + gvk.Group
}

// remainingObjectEvidence renders one object left in a namespace.
func remainingObjectEvidence(s *snapshot.Snapshot, obj *unstructured.Unstructured) string {
	line := fmt.Sprintf("%s %s/%s: metadata.finalizers %s", contentKind(obj), obj.GetNamespace(), obj.GetName(), finalizers.Format(obj.GetFinalizers()))
	if ts := obj.GetDeletionTimestamp(); ts != nil {
		line += ", deletionTimestamp " + report.FormatTime(ts.Time)
	} else {
		line += ", not yet deleted"
	}
	line += ownerSuffix(obj)
	if by := managedBy(s, obj); by != "" {
		line += ", managed by " + by
	}
	return line
}

// apiServiceName is the APIService serving a group version: <version>.<group>.
func apiServiceName(groupVersion string) string {
	gv, err := schema.ParseGroupVersion(groupVersion)
	if err != nil || gv.Group == "" {
		return groupVersion
	}
	return gv.Version + "." + gv.Group
}

// finalizeNamespaceAction clears spec.finalizers through the finalize
// subresource. The body is the namespace as diagnosed (the subresource
// replaces metadata too) and its resourceVersion makes any change since a
// conflict.
func finalizeNamespaceAction(ns *corev1.Namespace) report.Action {
	finalized := ns.DeepCopy()
	finalized.Spec.Finalizers = nil
	finalized.ManagedFields = nil
	finalized.Status = corev1.NamespaceStatus{} // the subresource keeps the stored status
	finalized.APIVersion, finalized.Kind = "v1", "Namespace"
	a := actionOn(report.VerbUpdate, namespacesResource, report.ObjectRef{Kind: "Namespace", Name: ns.Name})
	a.Subresource = "finalize"
	a.Body = report.JSONBody(finalized)
	return a
}
