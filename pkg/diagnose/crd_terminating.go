package diagnose

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkCRDTerminating reports Argo CD CRDs deleted longer than StuckAfter
// ago (an uninstall half done): kube-apiserver deletes every instance
// first, and instances with finalizers nobody removes any more (the
// controller is usually gone too) hold the CRD forever.
func checkCRDTerminating(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.ArgoCRDs {
		crd := &s.ArgoCRDs[i]
		ts := crd.GetDeletionTimestamp()
		if ts == nil || !olderThan(s.Now, ts.Time, s.StuckAfter) {
			continue
		}
		findings = append(findings, crdTerminatingFinding(s, crd))
	}
	return findings
}

func crdTerminatingFinding(s *snapshot.Snapshot, crd *unstructured.Unstructured) report.Finding {
	deleted := crd.GetDeletionTimestamp().Time
	f := report.Finding{
		ID:       "crd-terminating",
		Object:   report.ObjectRef{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition", Name: crd.GetName()},
		Since:    timePtr(deleted),
		Evidence: crdStateEvidence(s, crd),
	}
	terminating := fmt.Sprintf("CustomResourceDefinition %s has been Terminating for %s", crd.GetName(), formatAge(s.Now.Sub(deleted)))
	var inst crdInstances
	switch crd.GetName() {
	case "applications.argoproj.io":
		inst = applicationInstances(s)
	case "appprojects.argoproj.io":
		if !s.Has(snapshot.Projects) {
			f.Summary = terminating + "; its AppProjects could not be read"
			return f
		}
		inst = projectInstances(s)
	case "applicationsets.argoproj.io":
		if !s.Has(snapshot.ApplicationSets) {
			f.Summary = terminating + "; its ApplicationSets could not be read: kubectl get applicationsets.argoproj.io -A -o custom-columns=NAME:.metadata.name,FINALIZERS:.metadata.finalizers"
			return f
		}
		inst = applicationSetInstances(s)
	default:
		f.Summary = fmt.Sprintf("%s; its instances were not read: kubectl get %s -A -o custom-columns=NAME:.metadata.name,FINALIZERS:.metadata.finalizers",
			terminating, crd.GetName())
		return f
	}
	f.Evidence = append(f.Evidence, inst.evidence...)
	f.Fixes = inst.fixes
	f.Summary = fmt.Sprintf("%s: %d instances remain", terminating, inst.remaining)
	if len(inst.held) > 0 {
		f.Summary += fmt.Sprintf(", %d held by finalizers (%s)", len(inst.held), strings.Join(inst.held, ", "))
	}
	f.Summary += inst.note
	return f
}

// crdStateEvidence: the CRD's deletion and finalizers, and its
// Terminating condition.
func crdStateEvidence(s *snapshot.Snapshot, crd *unstructured.Unstructured) []string {
	deleted := crd.GetDeletionTimestamp().Time
	evidence := []string{fmt.Sprintf("CustomResourceDefinition %s: metadata.deletionTimestamp %s (%s ago), metadata.finalizers %s",
		crd.GetName(), report.FormatTime(deleted), formatAge(s.Now.Sub(deleted)), finalizers.Format(crd.GetFinalizers()))}
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, c := range conds {
		cm, ok := c.(map[string]any)
		if !ok {
			continue
		}
		if t, _ := cm["type"].(string); t == "Terminating" {
			reason, _ := cm["reason"].(string)
			msg, _ := cm["message"].(string)
			evidence = append(evidence, fmt.Sprintf("condition Terminating=%v (%s): %s", cm["status"], reason, msg))
		}
	}
	return evidence
}

// crdInstances is what remains of a Terminating CRD's instances.
type crdInstances struct {
	remaining int
	held      []string // namespace/name of the instances with finalizers
	evidence  []string
	fixes     []report.Fix
	note      string // appended to the summary
}

// applicationInstances: kube-apiserver deletes every Application, and
// those with finalizers wait for a controller that is usually gone.
func applicationInstances(s *snapshot.Snapshot) crdInstances {
	apps := s.AllApps()
	inst := crdInstances{remaining: len(apps)}
	for i := range apps {
		a := &apps[i]
		inst.evidence = append(inst.evidence, instanceEvidence("Application", a.Namespace, a.Name, a.Finalizers, a.DeletionTimestamp))
		if len(a.Finalizers) == 0 {
			continue
		}
		inst.held = append(inst.held, a.Namespace+"/"+a.Name)
		inst.fixes = append(inst.fixes, removeFinalizersFix(argocd.ApplicationsResource, appRef(a), a.Finalizers, "high",
			"Step 1 (Applications before AppProjects): with Argo CD uninstalled nothing deletes the app's resources, they stay orphaned in the cluster; to delete them, reinstall the controller and let it finish instead"))
	}
	return inst
}

// projectInstances: AppProjects with finalizers wait until no Application
// uses them, so the Applications go first.
func projectInstances(s *snapshot.Snapshot) crdInstances {
	inst := crdInstances{remaining: len(s.Projects)}
	for i := range s.Projects {
		p := &s.Projects[i]
		inst.evidence = append(inst.evidence, instanceEvidence("AppProject", p.Namespace, p.Name, p.Finalizers, p.DeletionTimestamp))
		if len(p.Finalizers) == 0 {
			continue
		}
		inst.held = append(inst.held, p.Namespace+"/"+p.Name)
		inst.fixes = append(inst.fixes, removeFinalizersFix(argocd.AppProjectsResource, report.ObjectRef{Group: argocd.Group, Kind: "AppProject", Namespace: p.Namespace, Name: p.Name}, p.Finalizers, "medium",
			"Step 2: only after no Application remains (a project's finalizer guards the apps that reference it)"))
	}
	if apps := s.AllApps(); len(apps) > 0 {
		inst.note = fmt.Sprintf("; %d Applications still exist: handle them first (applications.argoproj.io)", len(apps))
	}
	return inst
}

// applicationSetInstances: ApplicationSets held by a finalizer (the v3.2+
// resources finalizer, or a foreground deletion waiting on child apps)
// keep their CRD. They go before the Applications: removing an
// ApplicationSet's finalizer deletes nothing by itself.
func applicationSetInstances(s *snapshot.Snapshot) crdInstances {
	inst := crdInstances{remaining: len(s.ApplicationSets)}
	for i := range s.ApplicationSets {
		a := &s.ApplicationSets[i]
		inst.evidence = append(inst.evidence, instanceEvidence("ApplicationSet", a.GetNamespace(), a.GetName(), a.GetFinalizers(), a.GetDeletionTimestamp()))
		if len(a.GetFinalizers()) == 0 {
			continue
		}
		inst.held = append(inst.held, a.GetNamespace()+"/"+a.GetName())
		ref := report.ObjectRef{Group: argocd.Group, Kind: "ApplicationSet", Namespace: a.GetNamespace(), Name: a.GetName()}
		inst.fixes = append(inst.fixes, removeFinalizersFix(snapshot.ApplicationSetsResource, ref, a.GetFinalizers(), "medium",
			"With the ApplicationSet controller gone nothing removes it; the Applications it generated are handled by the applications.argoproj.io CRD"))
	}
	return inst
}

// instanceEvidence renders one remaining instance of a CRD.
func instanceEvidence(kind, namespace, name string, held []string, deleted *metav1.Time) string {
	state := "not yet deleted"
	if deleted != nil {
		state = "deletionTimestamp " + report.FormatTime(deleted.Time)
	}
	return fmt.Sprintf("%s %s/%s: metadata.finalizers %s, %s", kind, namespace, name, finalizers.Format(held), state)
}
