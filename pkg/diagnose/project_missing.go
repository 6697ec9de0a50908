package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/suggest"
)

// checkProjectMissing reports Applications whose spec.project names no
// AppProject. Such an app is neither compared nor synced, and if it is being
// deleted the controller cannot finish: it resolves the project first.
func checkProjectMissing(s *Snapshot) []Finding {
	if !s.ProjectsRead {
		return nil
	}
	var findings []Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		project := projectName(app)
		if _, ok := s.Project(project); ok {
			continue
		}
		findings = append(findings, projectMissingFinding(s, app, project))
	}
	return findings
}

// projectName is the project an app belongs to; Argo CD reads an empty
// spec.project as "default".
func projectName(app *argocd.Application) string {
	if app.Spec.Project == "" {
		return "default"
	}
	return app.Spec.Project
}

func projectMissingFinding(s *Snapshot, app *argocd.Application, project string) Finding {
	f := Finding{
		ID:       "project-missing",
		Severity: SeverityError,
		Object:   appRef(app),
		Summary:  fmt.Sprintf("Application references AppProject %s, which does not exist in namespace %s", project, s.ArgoCDNamespace),
		Docs:     DocsURL("project-missing"),
	}
	for _, c := range app.Status.Conditions {
		if strings.Contains(c.Message, "project") && c.IsError() {
			f.addCondition(c)
		}
	}
	if app.DeletionTimestamp != nil {
		f.Summary += "; the app is being deleted and the controller cannot finish until the project exists"
		f.Evidence = append(f.Evidence, fmt.Sprintf("deletionTimestamp %s, finalizers %s",
			formatTime(app.DeletionTimestamp.Time), strings.Join(app.Finalizers, ", ")))
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
		f.Fixes = append(f.Fixes, Fix{
			ID:          "set-project",
			Risk:        "low",
			Description: fmt.Sprintf("point the app at the existing project %s", close[0]),
			Command: fmt.Sprintf(`kubectl -n %s patch applications.argoproj.io %s --type merge -p '{"spec":{"project":%q}}'`,
				app.Namespace, app.Name, close[0]),
		})
	}
	if manifest, err := projectManifest(s, app, project); err == nil {
		f.Fixes = append(f.Fixes, Fix{
			ID:          "create-project",
			Risk:        "low",
			Description: fmt.Sprintf("create AppProject %s allowing only this app's repositories and destination", project),
			Command:     "kubectl apply -f -",
			Manifest:    manifest,
		})
	}
	return f
}

// projectManifest is the narrowest AppProject that lets the controller
// handle this app again: its repos, its destination, and the cluster-scoped
// kinds it already manages (needed to delete them).
func projectManifest(s *Snapshot, app *argocd.Application, project string) (string, error) {
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
	obj := map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "AppProject",
		"metadata":   map[string]string{"name": project, "namespace": s.ArgoCDNamespace},
		"spec":       spec,
	}
	out, err := yaml.Marshal(obj)
	if err != nil {
		return "", fmt.Errorf("render AppProject %s: %w", project, err)
	}
	return string(out), nil
}
