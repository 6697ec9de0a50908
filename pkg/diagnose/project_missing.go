package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
	"github.com/argofix/kubectl-argofix/pkg/suggest"
)

// checkProjectMissing reports Applications whose spec.project names no
// AppProject. Such an app is neither compared nor synced, and if it is being
// deleted the controller cannot finish: it resolves the project first.
func checkProjectMissing(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		project := app.ProjectName()
		if _, ok := s.Project(project); ok {
			continue
		}
		findings = append(findings, projectMissingFinding(s, app, project))
	}
	return findings
}

func projectMissingFinding(s *snapshot.Snapshot, app *argocd.Application, project string) report.Finding {
	f := report.Finding{
		ID:      "project-missing",
		Object:  appRef(app),
		Summary: fmt.Sprintf("Application references AppProject %s, which does not exist in namespace %s", project, s.ArgoCDNamespace),
	}
	for _, c := range app.Status.Conditions {
		if strings.Contains(c.Message, "project") && c.IsError() {
			addCondition(&f, c)
		}
	}
	if app.DeletionTimestamp != nil {
		f.Summary += "; the app is being deleted and the controller cannot finish until the project exists"
		f.Evidence = append(f.Evidence, fmt.Sprintf("deletionTimestamp %s, finalizers %s",
			report.FormatTime(app.DeletionTimestamp.Time), strings.Join(app.Finalizers, ", ")))
		if f.Since == nil {
			t := app.DeletionTimestamp.Time
			f.Since = &t
		}
	}
	existing := s.ProjectNames()
	if len(existing) == 0 {
		f.Evidence = append(f.Evidence, fmt.Sprintf("no AppProject exists in namespace %s", s.ArgoCDNamespace))
	} else {
		f.Evidence = append(f.Evidence, fmt.Sprintf("AppProjects in namespace %s: %s", s.ArgoCDNamespace, strings.Join(existing, ", ")))
	}
	if close := suggest.Closest(project, existing); len(close) > 0 {
		f.Evidence = append(f.Evidence, fmt.Sprintf("closest existing name: %s (a typo in spec.project?)", close[0]))
		f.Fixes = append(f.Fixes, SetProjectFix(app, close[0]))
	}
	create := createProjectFix(s, app, project, "allowing only this app's repositories and destination")
	if app.DeletionTimestamp != nil {
		// Least damage: the deletion was asked for under this project;
		// recreating it lets the controller finish it as asked.
		f.Fixes = append([]report.Fix{create}, f.Fixes...)
	} else {
		f.Fixes = append(f.Fixes, create)
	}
	return f
}

// SetProjectFix points the app at another project. The patch tests the
// project it replaces, so a concurrent edit of spec.project is not undone.
func SetProjectFix(app *argocd.Application, project string) report.Fix {
	ops := []map[string]any{
		{"op": "test", "path": "/spec/project", "value": app.Spec.Project},
		{"op": "replace", "path": "/spec/project", "value": project},
	}
	if app.Spec.Project == "" {
		// An absent field cannot be tested; bind to the whole object instead.
		ops = []map[string]any{
			{"op": "test", "path": "/metadata/resourceVersion", "value": app.ResourceVersion},
			{"op": "add", "path": "/spec/project", "value": project},
		}
	}
	return report.NewFix("set-project", "low", fmt.Sprintf("point the app at the existing project %s", project),
		report.JSONPatchAction(argocd.ApplicationsResource, appRef(app), ops))
}

// createProjectFix recreates a missing AppProject, the narrowest one that
// lets the controller handle this app again; why says what follows.
func createProjectFix(s *snapshot.Snapshot, app *argocd.Application, project, why string) report.Fix {
	return report.NewFix("create-project", "low", fmt.Sprintf("create AppProject %s %s", project, why), createProjectAction(s, app, project))
}

// projectObject is the narrowest AppProject that lets the controller
// handle this app again: its repos, its destination, and the cluster-scoped
// kinds it already manages (needed to delete them).
func projectObject(s *snapshot.Snapshot, app *argocd.Application, project string) map[string]any {
	var repos []string
	for _, src := range app.SourceList() {
		if src.RepoURL != "" && !slices.Contains(repos, src.RepoURL) {
			repos = append(repos, src.RepoURL)
		}
	}
	dest := map[string]string{"namespace": app.Spec.Destination.Namespace}
	if dest["namespace"] == "" {
		dest["namespace"] = "*"
	}
	if app.Spec.Destination.Name != "" {
		dest["name"] = app.Spec.Destination.Name
	} else {
		dest["server"] = app.Spec.Destination.Server
	}
	spec := map[string]any{
		"description":  fmt.Sprintf("recreated by kubectl-argofix for Application %s/%s", app.Namespace, app.Name),
		"sourceRepos":  repos,
		"destinations": []map[string]string{dest},
	}
	var clusterKinds []map[string]string
	seen := map[string]bool{}
	for _, r := range app.Status.Resources {
		key := r.Group + "/" + r.Kind
		if r.Namespace == "" && !seen[key] {
			seen[key] = true
			clusterKinds = append(clusterKinds, map[string]string{"group": r.Group, "kind": r.Kind})
		}
	}
	if len(clusterKinds) > 0 {
		spec["clusterResourceWhitelist"] = clusterKinds
	}
	if app.Namespace != s.ArgoCDNamespace {
		spec["sourceNamespaces"] = []string{app.Namespace}
	}
	return map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "AppProject",
		"metadata":   map[string]string{"name": project, "namespace": s.ArgoCDNamespace},
		"spec":       spec,
	}
}
