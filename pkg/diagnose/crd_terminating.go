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
		Severity: report.SeverityError,
		Object:   report.ObjectRef{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition", Name: crd.GetName()},
		Docs:     report.DocsURL("crd-terminating"),
		Since:    timePtr(deleted),
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("CustomResourceDefinition %s: metadata.deletionTimestamp %s (%s ago), metadata.finalizers %s",
		crd.GetName(), report.FormatTime(deleted), formatAge(s.Now.Sub(deleted)), finalizers.Format(crd.GetFinalizers())))
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, c := range conds {
		cm, ok := c.(map[string]any)
		if !ok {
			continue
		}
		if t, _ := cm["type"].(string); t == "Terminating" {
			reason, _ := cm["reason"].(string)
			msg, _ := cm["message"].(string)
			f.Evidence = append(f.Evidence, fmt.Sprintf("condition Terminating=%v (%s): %s", cm["status"], reason, msg))
		}
	}

	var remaining int
	var held []string
	switch crd.GetName() {
	case "applications.argoproj.io":
		apps := s.AllApps()
		remaining = len(apps)
		for i := range apps {
			a := &apps[i]
			f.Evidence = append(f.Evidence, instanceEvidence("Application", a.Namespace, a.Name, a.Finalizers, a.DeletionTimestamp))
			if len(a.Finalizers) == 0 {
				continue
			}
			held = append(held, a.Namespace+"/"+a.Name)
			f.Fixes = append(f.Fixes, removeFinalizersFix(argocd.ApplicationsResource, appRef(a), a.Finalizers, "high",
				"Step 1 (Applications before AppProjects): with Argo CD uninstalled nothing deletes the app's resources, they stay orphaned in the cluster; to delete them, reinstall the controller and let it finish instead"))
		}
	case "appprojects.argoproj.io":
		if !s.Has(snapshot.Projects) {
			f.Summary = fmt.Sprintf("CustomResourceDefinition %s has been Terminating for %s; its AppProjects could not be read", crd.GetName(), formatAge(s.Now.Sub(deleted)))
			return f
		}
		remaining = len(s.Projects)
		for i := range s.Projects {
			p := &s.Projects[i]
			f.Evidence = append(f.Evidence, instanceEvidence("AppProject", p.Namespace, p.Name, p.Finalizers, p.DeletionTimestamp))
			if len(p.Finalizers) == 0 {
				continue
			}
			held = append(held, p.Namespace+"/"+p.Name)
			f.Fixes = append(f.Fixes, removeFinalizersFix(argocd.AppProjectsResource, report.ObjectRef{Group: argocd.Group, Kind: "AppProject", Namespace: p.Namespace, Name: p.Name}, p.Finalizers, "medium",
				"Step 2: only after no Application remains (a project's finalizer guards the apps that reference it)"))
		}
	default:
		f.Summary = fmt.Sprintf("CustomResourceDefinition %s has been Terminating for %s; its instances were not read: kubectl get %s -A -o custom-columns=NAME:.metadata.name,FINALIZERS:.metadata.finalizers",
			crd.GetName(), formatAge(s.Now.Sub(deleted)), crd.GetName())
		return f
	}
	f.Summary = fmt.Sprintf("CustomResourceDefinition %s has been Terminating for %s: %d instances remain", crd.GetName(), formatAge(s.Now.Sub(deleted)), remaining)
	if len(held) > 0 {
		f.Summary += fmt.Sprintf(", %d held by finalizers (%s)", len(held), strings.Join(held, ", "))
	}
	if apps := s.AllApps(); crd.GetName() == "appprojects.argoproj.io" && len(apps) > 0 {
		f.Summary += fmt.Sprintf("; %d Applications still exist: handle them first (applications.argoproj.io)", len(apps))
	}
	return f
}

func instanceEvidence(kind, namespace, name string, held []string, deleted *metav1.Time) string {
	state := "not yet deleted"
	if deleted != nil {
		state = "deletionTimestamp " + report.FormatTime(deleted.Time)
	}
	return fmt.Sprintf("%s %s/%s: metadata.finalizers %s, %s", kind, namespace, name, finalizers.Format(held), state)
}
