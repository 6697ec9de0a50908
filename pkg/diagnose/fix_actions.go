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

// actionOn starts an Action on the object ref through resource gvr.
func actionOn(verb string, gvr schema.GroupVersionResource, ref report.ObjectRef) report.Action {
	return report.Action{Verb: verb, Group: gvr.Group, Version: gvr.Version, Resource: gvr.Resource,
		Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name}
}

// jsonPatchAction is a JSON patch; its ops start with the tests that bind
// it to the object as diagnosed.
func jsonPatchAction(gvr schema.GroupVersionResource, ref report.ObjectRef, ops []map[string]any) report.Action {
	a := actionOn(report.VerbPatch, gvr, ref)
	a.PatchType = report.PatchJSON
	a.Body = report.JSONBody(ops)
	return a
}

// annotateAction sets one annotation with a merge patch: adding a key
// loses no other writer's change, so it needs no precondition.
func annotateAction(gvr schema.GroupVersionResource, ref report.ObjectRef, key, value string) report.Action {
	a := actionOn(report.VerbPatch, gvr, ref)
	a.PatchType = report.PatchMerge
	a.Body = report.JSONBody(map[string]any{"metadata": map[string]any{"annotations": map[string]string{key: value}}})
	return a
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
	return report.NewFix("remove-finalizers", risk, desc, jsonPatchAction(gvr, ref, finalizers.RemovalPatch(current, nil)))
}

// createProjectAction creates the AppProject a missing-project app needs.
func createProjectAction(s *snapshot.Snapshot, app *argocd.Application, project string) report.Action {
	ref := report.ObjectRef{Group: argocd.Group, Kind: "AppProject", Namespace: s.ArgoCDNamespace, Name: project}
	a := actionOn(report.VerbCreate, argocd.AppProjectsResource, ref)
	a.Body = report.JSONBody(projectObject(s, app, project))
	return a
}
