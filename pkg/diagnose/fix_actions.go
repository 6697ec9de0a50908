package diagnose

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// API resources the fixes write to, besides Argo CD's own.
var (
	namespacesResource  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	podsResource        = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	apiServicesResource = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}
)

// appRef is the ObjectRef of an Application.
func appRef(app *argocd.Application) report.ObjectRef {
	return report.ObjectRef{Group: argocd.Group, Kind: "Application", Namespace: app.Namespace, Name: app.Name}
}

// resourceOf is the API resource a kind was read through; ok is false
// when the snapshot did not read it (no fix can then be written for it).
func resourceOf(s *snapshot.Snapshot, group, kind string) (schema.GroupVersionResource, bool) {
	gvr, ok := s.Resources[schema.GroupKind{Group: group, Kind: kind}]
	return gvr, ok
}

// removeFinalizersFix is the remove-finalizers plan for one object, naming
// who should have removed each finalizer. Its patch tests the exact list as
// diagnosed.
func removeFinalizersFix(gvr schema.GroupVersionResource, ref report.ObjectRef, current []string, risk, why string) report.Fix {
	var owners []string
	for _, f := range current {
		owners = append(owners, fmt.Sprintf("%s (%s)", f, finalizers.Owner(f)))
	}
	desc := fmt.Sprintf("remove the finalizers of %s: %s", ref, strings.Join(owners, "; "))
	if why != "" {
		desc += ". " + why
	}
	return report.NewFix("remove-finalizers", risk, desc, report.JSONPatchAction(gvr, ref, finalizers.RemovalPatch(current, nil)))
}

// createProjectAction creates the AppProject a missing-project app needs.
func createProjectAction(s *snapshot.Snapshot, app *argocd.Application, project string) report.Action {
	ref := report.ObjectRef{Group: argocd.Group, Kind: "AppProject", Namespace: s.ArgoCDNamespace, Name: project}
	a := report.NewAction(report.VerbCreate, argocd.AppProjectsResource, ref)
	a.Body = report.JSONBody(projectObject(s, app, project))
	return a
}

// terminateOperationFix does what `argocd app terminate-op` does; the test
// binds it to the operation still Running. The controller is what acts on
// Terminating: with none Ready the patch changes nothing, so it is then
// high risk (not offered by default) and says what must happen first.
func terminateOperationFix(s *snapshot.Snapshot, app *argocd.Application) report.Fix {
	risk := "low"
	desc := "terminate the running operation, as `argocd app terminate-op` does (the controller stops it and marks it Failed); fix what it waits for before syncing again"
	if ready, _, read := controllerReadiness(s); read && ready == 0 {
		risk = "high"
		desc = fmt.Sprintf("no argocd-application-controller pod is Ready in %s, and only the controller acts on a Terminating operation: start it first (kubectl -n %s get pods -l %s); then %s",
			s.ArgoCDNamespace, s.ArgoCDNamespace, argocd.ControllerSelector, desc)
	}
	return report.NewFix("terminate-operation", risk, desc,
		report.JSONPatchAction(argocd.ApplicationsResource, appRef(app), []map[string]any{
			{"op": "test", "path": "/status/operationState/phase", "value": argocd.PhaseRunning},
			{"op": "replace", "path": "/status/operationState/phase", "value": "Terminating"},
		}))
}
