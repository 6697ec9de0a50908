package diagnose

import (
	"fmt"
	"strings"
)

// checkProjectDeleting reports apps whose AppProject is being deleted: the
// project's resources-finalizer is removed only when no Application
// references it, so the project waits for its apps.
func checkProjectDeleting(s *Snapshot) []Finding {
	if !s.ProjectsRead {
		return nil
	}
	var findings []Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		project, ok := s.Project(projectName(app))
		if !ok || project.DeletionTimestamp == nil {
			continue
		}
		var refs []string
		apps := allApplications(s)
		for j := range apps {
			if projectName(&apps[j]) == project.Name {
				refs = append(refs, apps[j].Namespace+"/"+apps[j].Name)
			}
		}
		deleted := project.DeletionTimestamp.Time
		findings = append(findings, Finding{
			ID:       "project-deleting",
			Severity: SeverityWarning,
			Object:   appRef(app),
			Summary: fmt.Sprintf("AppProject %s is being deleted while %s still reference it; Argo CD removes the project's finalizer only once no Application references it, so the project stays until these apps are deleted or moved to another project (spec.project); a deletion cannot be cancelled",
				project.Name, plural(len(refs), "Application")),
			Evidence: []string{
				fmt.Sprintf("AppProject %s/%s: metadata.deletionTimestamp %s, metadata.finalizers %s",
					project.Namespace, project.Name, formatTime(deleted), formatFinalizers(project.Finalizers)),
				fmt.Sprintf("Applications with spec.project %s: %s", project.Name, strings.Join(refs, ", ")),
			},
			Since: timePtr(deleted),
			Docs:  DocsURL("project-deleting"),
		})
	}
	return findings
}
