package diagnose

// checkOrphanedResources reports the OrphanedResourceWarning condition:
// the app's destination namespace holds objects no app tracks (only when
// the project enables orphanedResources monitoring). The message holds
// the count.
func checkOrphanedResources(s *Snapshot) []Finding {
	var findings []Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		for _, c := range app.Status.Conditions {
			if c.Type != "OrphanedResourceWarning" {
				continue
			}
			f := Finding{
				ID:       "orphaned-resources",
				Severity: SeverityInfo,
				Object:   appRef(app),
				Summary:  "Application's destination namespace holds resources no Argo CD app tracks: " + c.Message,
				Docs:     DocsURL("orphaned-resources"),
			}
			f.addCondition(c)
			findings = append(findings, f)
			break
		}
	}
	return findings
}
