package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// syncWindowText is what a Running operation says while a window holds it.
const syncWindowText = "blocked by sync window"

// checkSyncWindowBlocking reports an operation held by a sync window, or an
// auto-synced app left OutOfSync while the project's windows forbid
// syncing now (a blocked auto-sync writes nothing to the app).
func checkSyncWindowBlocking(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		if f, ok := syncWindowFinding(s, app); ok {
			findings = append(findings, f)
		}
	}
	return findings
}

// syncWindowBlocks tells whether a sync window holds the app: its Running
// operation says so, or (auto-sync, OutOfSync) the windows forbid it now.
func syncWindowBlocks(s *snapshot.Snapshot, app *argocd.Application) (held bool, lines []string, summary string) {
	op := app.Status.OperationState
	running := op != nil && op.Phase == argocd.PhaseRunning && strings.Contains(op.Message, syncWindowText)
	proj, ok := s.Project(app.ProjectName())
	var blocked bool
	if ok {
		blocked, lines, summary = evaluateWindows(s, app, proj)
	}
	auto := app.Spec.SyncPolicy != nil && app.Spec.SyncPolicy.Automated != nil && app.Status.Sync.Status == "OutOfSync" &&
		(op == nil || op.Phase != argocd.PhaseRunning)
	return running || (auto && blocked), lines, summary
}

func syncWindowFinding(s *snapshot.Snapshot, app *argocd.Application) (report.Finding, bool) {
	held, lines, why := syncWindowBlocks(s, app)
	if !held {
		return report.Finding{}, false
	}
	f := report.Finding{
		ID:     "sync-window-blocking",
		Object: appRef(app),
	}
	op := app.Status.OperationState
	if op != nil && op.Phase == argocd.PhaseRunning {
		f.Summary = "Sync operation is held by a sync window"
		f.Evidence = append(f.Evidence, fmt.Sprintf("status.operationState.phase Running, startedAt %s: %s", startedText(op.StartedAt.Time), op.Message))
		if !op.StartedAt.IsZero() {
			f.Since = timePtr(op.StartedAt.Time)
		}
		f.Fixes = append(f.Fixes, terminateOperationFix(s, app))
	} else {
		f.Summary = fmt.Sprintf("Automated sync is not running while the app is %s: a sync window forbids it now", app.Status.Sync.Status)
		f.Evidence = append(f.Evidence, fmt.Sprintf("spec.syncPolicy.automated set, status.sync.status %s; a blocked auto-sync writes nothing to the app", app.Status.Sync.Status))
	}
	if why != "" {
		f.Summary += ": " + why
	}
	f.Evidence = append(f.Evidence, lines...)
	return f, true
}

// evaluateWindows says whether the project's windows block the app now:
// an active deny window, or allow windows none of which is active.
func evaluateWindows(s *snapshot.Snapshot, app *argocd.Application, proj *argocd.AppProject) (blocked bool, lines []string, summary string) {
	var allows, activeAllows int
	var denies []string
	for _, w := range proj.Spec.SyncWindows {
		if !w.Matches(app) {
			continue
		}
		active, ends, err := w.ActiveAt(s.Now)
		desc := fmt.Sprintf("AppProject %s sync window %s schedule %q duration %s (applications %s, namespaces %s, clusters %s, manualSync %t)",
			proj.Name, w.Kind, w.Schedule, w.Duration, listOrNone(w.Applications), listOrNone(w.Namespaces), listOrNone(w.Clusters), w.ManualSync)
		if w.TimeZone != "" {
			desc += ", timeZone " + w.TimeZone
		}
		switch {
		case err != nil:
			desc += ": cannot be evaluated: " + err.Error()
		case active:
			desc += fmt.Sprintf(": active now, ends %s", report.FormatTime(ends))
		default:
			desc += ": not active now"
		}
		lines = append(lines, desc)
		switch w.Kind {
		case "deny":
			if active {
				denies = append(denies, fmt.Sprintf("deny window %q active until %s", w.Schedule, report.FormatTime(ends)))
			}
		case "allow":
			allows++
			if active {
				activeAllows++
			}
		}
	}
	switch {
	case len(denies) > 0:
		return true, lines, strings.Join(denies, ", ")
	case allows > 0 && activeAllows == 0:
		return true, lines, fmt.Sprintf("%s match the app and none is active now", plural(allows, "allow window"))
	}
	if len(lines) == 0 {
		lines = append(lines, fmt.Sprintf("AppProject %s has no sync window matching the app now", proj.Name))
	}
	return false, lines, ""
}
