package diagnose

import (
	"fmt"
)

// RefreshAnnotation asks the controller to refresh an app; the controller
// removes it when done.
const RefreshAnnotation = "argocd.argoproj.io/refresh"

// checkRefreshPending reports apps whose refresh annotation is still set
// while status.reconciledAt is older than StuckAfter (or absent): the
// controller is not reconciling them.
func checkRefreshPending(s *Snapshot) []Finding {
	var findings []Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		v, ok := app.Annotations[RefreshAnnotation]
		if !ok {
			continue
		}
		reconciled := app.Status.ReconciledAt
		if reconciled != nil && !olderThan(s.Now, reconciled.Time, s.StuckAfter) {
			continue
		}
		f := Finding{
			ID:       "refresh-pending",
			Severity: SeverityInfo,
			Object:   appRef(app),
			Docs:     DocsURL("refresh-pending"),
			Evidence: []string{fmt.Sprintf("metadata.annotations[%s] = %q", RefreshAnnotation, v)},
		}
		if reconciled == nil {
			f.Summary = fmt.Sprintf("A %s refresh was requested but the controller has never reconciled the app (no status.reconciledAt)", v)
			f.Evidence = append(f.Evidence, "status.reconciledAt is not set")
			f.Since = timePtr(app.CreationTimestamp.Time)
			if app.CreationTimestamp.IsZero() {
				f.Since = nil
			}
		} else {
			f.Summary = fmt.Sprintf("A %s refresh was requested but the controller last reconciled the app %s ago", v, formatAge(s.Now.Sub(reconciled.Time)))
			f.Evidence = append(f.Evidence, "status.reconciledAt "+formatTime(reconciled.Time))
			f.Since = timePtr(reconciled.Time)
		}
		if ready, line, read := controllerReadiness(s); read {
			f.Evidence = append(f.Evidence, line)
			if ready == 0 {
				f.Summary += "; the application-controller has no ready pod"
			}
		}
		findings = append(findings, f)
	}
	return findings
}
