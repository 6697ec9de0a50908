package diagnose

import (
	"fmt"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkRefreshPending reports apps whose refresh annotation is still set
// while status.reconciledAt is older than StuckAfter (or absent): the
// controller is not reconciling them.
func checkRefreshPending(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		v, ok := app.Annotations[argocd.RefreshAnnotation]
		if !ok {
			continue
		}
		reconciled := app.Status.ReconciledAt
		if reconciled != nil && !olderThan(s.Now, reconciled.Time, s.StuckAfter) {
			continue
		}
		f := report.Finding{
			ID:       "refresh-pending",
			Object:   appRef(app),
			Evidence: []string{fmt.Sprintf("metadata.annotations[%s] = %q", argocd.RefreshAnnotation, v)},
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
			f.Evidence = append(f.Evidence, "status.reconciledAt "+report.FormatTime(reconciled.Time))
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
