package diagnose

import (
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkOrphanedResources reports the OrphanedResourceWarning condition:
// the app's destination namespace holds objects no app tracks (only when
// the project enables orphanedResources monitoring). The message holds
// the count.
func checkOrphanedResources(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		for _, c := range app.Status.Conditions {
			if c.Type != "OrphanedResourceWarning" {
				continue
			}
			f := report.Finding{
				ID:      "orphaned-resources",
				Object:  appRef(app),
				Summary: "Application's destination namespace holds resources no Argo CD app tracks: " + c.Message,
			}
			addCondition(&f, c)
			findings = append(findings, f)
			break
		}
	}
	return findings
}
