package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkProjectDeleting reports apps whose AppProject is being deleted: the
// project's resources-finalizer is removed only when no Application
// references it, so the project waits for its apps.
func checkProjectDeleting(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		project, ok := s.Project(app.ProjectName())
		if !ok || project.DeletionTimestamp == nil {
			continue
		}
		var refs []string
		apps := s.AllApps()
		for j := range apps {
			if apps[j].ProjectName() == project.Name {
				refs = append(refs, apps[j].Namespace+"/"+apps[j].Name)
			}
		}
		deleted := project.DeletionTimestamp.Time
		findings = append(findings, report.Finding{
			ID:     "project-deleting",
			Object: appRef(app),
			Summary: fmt.Sprintf("AppProject %s is being deleted while %s still reference it; Argo CD removes the project's finalizer only once no Application references it, so the project stays until these apps are deleted or moved to another project (spec.project); a deletion cannot be cancelled",
				project.Name, plural(len(refs), "Application")),
			Evidence: []string{
				fmt.Sprintf("AppProject %s/%s: metadata.deletionTimestamp %s, metadata.finalizers %s",
					project.Namespace, project.Name, report.FormatTime(deleted), finalizers.Format(project.Finalizers)),
				fmt.Sprintf("Applications with spec.project %s: %s", project.Name, strings.Join(refs, ", ")),
			},
			Since: timePtr(deleted),
		})
	}
	return findings
}
