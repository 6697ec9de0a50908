package diagnose

import (
	"fmt"
	"slices"
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
		if ns.DeletionTimestamp == nil {
			continue
		}
		young := !olderThan(s.Now, ns.DeletionTimestamp.Time, s.StuckAfter)
		if young && !s.Named {
			continue
		}
		f := namespaceTerminatingFinding(s, ns)
		if young {
			notYetStuck(s, &f, ns.DeletionTimestamp.Time)
		}
		findings = append(findings, f)
	}
	return findings
}

// namespaceDiagnosis collects the causes, evidence and fixes of one
// Terminating namespace. Fixes are kept by kind so that APIService fixes
// come first and Applications' finalizers, the riskiest, last.
type namespaceDiagnosis struct {
	causes                          []string
	evidence                        []string
	apiFixes, objectFixes, appFixes []report.Fix
}

func (d *namespaceDiagnosis) cause(c string, evidence ...string) {
	d.causes = append(d.causes, c)
	d.evidence = append(d.evidence, evidence...)
}

func (d *namespaceDiagnosis) fixes() []report.Fix {
	var fixes []report.Fix
	fixes = append(fixes, d.apiFixes...)
	fixes = append(fixes, d.objectFixes...)
	return append(fixes, d.appFixes...)
}

func namespaceTerminatingFinding(s *snapshot.Snapshot, ns *corev1.Namespace) report.Finding {
	deleted := ns.DeletionTimestamp.Time
	specFinalizers := namespaceSpecFinalizers(ns)
	f := report.Finding{
		ID:       "namespace-terminating",
		Object:   report.ObjectRef{Kind: "Namespace", Name: ns.Name},
		Since:    timePtr(deleted),
		Evidence: namespaceStateEvidence(s, ns, specFinalizers),
	}

	// Contents were listed when the map exists: an emptied namespace has no entry.
	contents, read := s.NamespaceContents[ns.Name]
	read = read || s.NamespaceContents != nil
	d := &namespaceDiagnosis{}
	namespaceDiscoveryCauses(s, d)
	unread := namespaceUnreadCause(s, ns, d)
	namespaceContentsCause(s, ns, specFinalizers, contents, read, len(unread) > 0, d)

	f.Evidence = append(f.Evidence, d.evidence...)
	f.Summary = fmt.Sprintf("Namespace has been Terminating for %s: %s", formatAge(s.Now.Sub(deleted)), strings.Join(d.causes, "; "))
	f.Fixes = d.fixes()
	if read && len(contents) == 0 && len(unread) == 0 && len(specFinalizers) > 0 {
		f.Fixes = append(f.Fixes, finalizeNamespaceFix(s, ns))
	}
	return f
}

// namespaceSpecFinalizers are the Namespace's spec.finalizers, which only
// the namespace controller (or the finalize subresource) removes.
func namespaceSpecFinalizers(ns *corev1.Namespace) []string {
	var names []string
	for _, fin := range ns.Spec.Finalizers {
		names = append(names, string(fin))
	}
	return names
}

// namespaceStateEvidence: the Namespace's deletion and finalizers, and the
// namespace controller's conditions that hold.
func namespaceStateEvidence(s *snapshot.Snapshot, ns *corev1.Namespace, specFinalizers []string) []string {
	deleted := ns.DeletionTimestamp.Time
	evidence := []string{fmt.Sprintf("Namespace %s: metadata.deletionTimestamp %s (%s ago), status.phase %s, spec.finalizers %s, metadata.finalizers %s",
		ns.Name, report.FormatTime(deleted), formatAge(s.Now.Sub(deleted)), ns.Status.Phase, finalizers.Format(specFinalizers), finalizers.Format(ns.Finalizers))}
	for _, c := range ns.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		evidence = append(evidence, fmt.Sprintf("condition %s=True (%s) since %s: %s", c.Type, c.Reason, report.FormatTime(c.LastTransitionTime.Time), c.Message))
	}
	return evidence
}

// namespaceDiscoveryCauses: the namespace controller deletes every kind it
// can discover; while an APIService is unavailable it cannot list that
// group's kinds, and waits.
func namespaceDiscoveryCauses(s *snapshot.Snapshot, d *namespaceDiagnosis) {
	for _, df := range s.DiscoveryFailures {
		name := apiServiceName(df.GroupVersion)
		d.cause(fmt.Sprintf("APIService %s is unavailable, so the namespace controller cannot list its kinds", name),
			fmt.Sprintf("discovery of %s failed (APIService %s): %s", df.GroupVersion, name, df.Error))
		d.apiFixes = append(d.apiFixes, report.NewFix("delete-apiservice", "high",
			fmt.Sprintf("APIService %s is unavailable: restore the Service behind it (kubectl get apiservice %s -o yaml names it); only if its extension was uninstalled, delete the stale APIService",
				name, name),
			report.NewAction(report.VerbDelete, apiServicesResource, report.ObjectRef{Group: apiServicesResource.Group, Kind: "APIService", Name: name})))
	}
}

// namespaceUnreadCause: resource types the user may not list may hold
// anything. It returns them, sorted.
func namespaceUnreadCause(s *snapshot.Snapshot, ns *corev1.Namespace, d *namespaceDiagnosis) []string {
	unread := s.NamespaceUnread[ns.Name]
	if len(unread) == 0 {
		return unread
	}
	sort.Strings(unread)
	d.cause(fmt.Sprintf("%s could not be listed, so what remains of them is unknown", plural(len(unread), "resource type")),
		"not listed (forbidden): "+strings.Join(unread, ", "))
	return unread
}

// namespaceContentsCause: the objects that remain, or, when none does,
// what else holds the namespace.
func namespaceContentsCause(s *snapshot.Snapshot, ns *corev1.Namespace, specFinalizers []string, contents []unstructured.Unstructured, read, someUnread bool, d *namespaceDiagnosis) {
	switch {
	case !read:
		d.cause("its remaining contents were not read")
	case len(contents) == 0 && someUnread:
		// Nothing seen is not nothing there.
	case len(contents) == 0 && len(specFinalizers) == 0 && len(ns.Finalizers) > 0:
		// The namespace controller is done; the Namespace's own finalizers hold it.
		d.cause(fmt.Sprintf("nothing remains in it; its own metadata.finalizers %s hold it", finalizers.Format(ns.Finalizers)))
		d.objectFixes = append(d.objectFixes, removeFinalizersFix(namespacesResource, report.ObjectRef{Kind: "Namespace", Name: ns.Name}, ns.Finalizers, "medium", ""))
	case len(contents) == 0:
		d.cause(fmt.Sprintf("nothing remains in it, yet spec.finalizers %s is not removed (is kube-controller-manager's namespace controller running?)", finalizers.Format(specFinalizers)))
	default:
		namespaceRemainingCause(s, contents, d)
	}
}

// namespaceRemainingCause: the namespace controller waits until every
// object in it is gone; each remaining object is evidence, and each held
// by finalizers gets a fix.
func namespaceRemainingCause(s *snapshot.Snapshot, contents []unstructured.Unstructured, d *namespaceDiagnosis) {
	sorted := sortedContents(contents)
	for i := range sorted {
		d.evidence = append(d.evidence, remainingObjectEvidence(s, &sorted[i]))
		remainingObjectFix(s, &sorted[i], d)
	}
	c := fmt.Sprintf("%s remain (%s)", plural(len(sorted), "object"), countByKind(sorted))
	if held := heldByFinalizers(sorted); len(held) > 0 {
		c += " held by finalizers " + strings.Join(held, ", ")
	}
	d.cause(c)
}

// sortedContents orders a namespace's objects by kind, then name.
func sortedContents(contents []unstructured.Unstructured) []unstructured.Unstructured {
	sorted := append([]unstructured.Unstructured(nil), contents...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := contentKind(&sorted[i]), contentKind(&sorted[j])
		if a != b {
			return a < b
		}
		return sorted[i].GetName() < sorted[j].GetName()
	})
	return sorted
}

// countByKind counts objects per kind, in the order the kinds first
// appear: "1 Application.argoproj.io, 2 ConfigMap".
func countByKind(objs []unstructured.Unstructured) string {
	counts := map[string]int{}
	var kinds []string
	for i := range objs {
		kind := contentKind(&objs[i])
		if counts[kind] == 0 {
			kinds = append(kinds, kind)
		}
		counts[kind]++
	}
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	return strings.Join(parts, ", ")
}

// heldByFinalizers lists the finalizers on any of the objects, each once,
// in the order they first appear.
func heldByFinalizers(objs []unstructured.Unstructured) []string {
	var held []string
	for i := range objs {
		for _, fin := range objs[i].GetFinalizers() {
			if !slices.Contains(held, fin) {
				held = append(held, fin)
			}
		}
	}
	return held
}

// remainingObjectFix offers to remove the finalizers of a remaining object
// whose API resource is known. Stripping an Application's finalizer
// orphans its resources, so that fix says to handle the app first.
func remainingObjectFix(s *snapshot.Snapshot, obj *unstructured.Unstructured, d *namespaceDiagnosis) {
	fins := obj.GetFinalizers()
	gvk := obj.GroupVersionKind()
	gvr, known := resourceOf(s, gvk.Group, gvk.Kind)
	if len(fins) == 0 || !known {
		return
	}
	ref := report.ObjectRef{Group: gvk.Group, Kind: gvk.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
	if gvk.Group == argocd.Group && gvk.Kind == "Application" {
		d.appFixes = append(d.appFixes, removeFinalizersFix(gvr, ref, fins, "high", fmt.Sprintf(
			"Handle it as app-deletion-stuck first (kubectl argofix diagnose app -n %s %s): stripping Argo CD's finalizer orphans the app's resources",
			ref.Namespace, ref.Name)))
		return
	}
	d.objectFixes = append(d.objectFixes, removeFinalizersFix(gvr, ref, fins, "medium", ""))
}

// finalizeNamespaceFix clears spec.finalizers once nothing remains. With
// API groups undiscoverable, objects of them may remain unseen: the risk
// is then high.
func finalizeNamespaceFix(s *snapshot.Snapshot, ns *corev1.Namespace) report.Fix {
	risk := "medium"
	desc := fmt.Sprintf("nothing remains in namespace %s: clear its spec.finalizers through the finalize subresource (patching metadata.finalizers does nothing for them)", ns.Name)
	if len(s.DiscoveryFailures) > 0 {
		risk = "high"
		desc += "; objects of the undiscoverable API groups above cannot be seen and would be left behind in storage"
	}
	return report.NewFix("finalize-namespace", risk, desc, finalizeNamespaceAction(ns))
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
	a := report.NewAction(report.VerbUpdate, namespacesResource, report.ObjectRef{Kind: "Namespace", Name: ns.Name})
	a.Subresource = "finalize"
	a.Body = report.JSONBody(finalized)
	return a
}
