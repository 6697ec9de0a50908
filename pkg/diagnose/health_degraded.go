package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/health"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkHealthDegraded reports apps whose health is Degraded, naming each
// managed object that is Degraded by Argo CD's built-in rules computed
// from the live objects, with the cause a person would otherwise dig out:
// the pod waiting on CrashLoopBackOff (last termination reason, exit
// code), ImagePullBackOff (the image), OOMKilled, ProgressDeadlineExceeded,
// a failed Job and its pod, a Lost claim; and their Warning events.
func checkHealthDegraded(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		if app.Status.Health.Status != appHealthDegraded || app.DeletionTimestamp != nil {
			continue
		}
		if f, ok := degradedFinding(s, app); ok {
			findings = append(findings, f)
		}
	}
	return findings
}

// degradedFinding explains a Degraded app; ok is false when no object is
// Degraded now (the status lags a recovery): nothing to name then.
func degradedFinding(s *snapshot.Snapshot, app *argocd.Application) (report.Finding, bool) {
	f := report.Finding{ID: "health-degraded", Object: appRef(app)}
	head := "status.health.status Degraded"
	if t := app.Status.Health.LastTransitionTime; t != nil {
		head += " since " + report.FormatTime(t.Time)
		f.Since = timePtr(t.Time)
	}
	if app.Status.Health.Message != "" {
		head += ": " + app.Status.Health.Message
	}
	f.Evidence = append(f.Evidence, head)
	var names []string
	var overridden []objectHealth
	for _, o := range appObjectHealth(s, app) {
		switch {
		case o.Status == health.Degraded:
			names = append(names, o.res.Kind+" "+o.res.Name)
			f.Evidence = append(f.Evidence, explainObject(s, o)...)
		case o.override != "" && o.Status == "":
			overridden = append(overridden, o)
		}
	}
	for _, o := range overridden {
		f.Evidence = append(f.Evidence, explainObject(s, o)...)
	}
	f.Evidence = append(f.Evidence, nestedAppEvidence(s, app)...)
	switch {
	case len(names) > 0:
		f.Summary = fmt.Sprintf("app is Degraded; %s Degraded: %s", plural(len(names), "object"), strings.Join(names, ", "))
	case len(overridden) > 0:
		f.Summary = "app is Degraded, and no object is by Argo CD's built-in rules: the cause is among the objects judged by a Lua override"
	default:
		return f, false
	}
	return f, true
}
