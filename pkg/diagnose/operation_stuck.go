package diagnose

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/health"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// retryLoopCount is the retry count from which an operation counts as
// looping.
const retryLoopCount = 3

// waitingForPattern matches gitops-engine's running message:
// "waiting for healthy state of apps/Deployment/web and 2 more resources".
var waitingForPattern = regexp.MustCompile(`waiting for (healthy state of|completion of hook|deletion of) ([^/\s]*)/([^/\s]+)/([^\s]+)`)

// checkOperationStuck reports operations that run longer than StuckAfter,
// or loop on retries, and that no more specific finding explains.
func checkOperationStuck(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		op := app.Status.OperationState
		if op == nil || (op.Phase != argocd.PhaseRunning && op.Phase != argocd.PhaseTerminating) {
			continue
		}
		long := !op.StartedAt.IsZero() && olderThan(s.Now, op.StartedAt.Time, s.StuckAfter)
		retrying := op.RetryCount >= retryLoopCount || strings.Contains(op.Message, "Retrying attempt")
		if !long && !retrying {
			continue
		}
		if explainedBySpecificFinding(s, app) {
			continue
		}
		findings = append(findings, operationStuckFinding(s, app, long, retrying))
	}
	return findings
}

func operationStuckFinding(s *snapshot.Snapshot, app *argocd.Application, long, retrying bool) report.Finding {
	op := app.Status.OperationState
	f := report.Finding{
		ID:     "operation-stuck",
		Object: appRef(app),
	}
	if !op.StartedAt.IsZero() {
		f.Since = timePtr(op.StartedAt.Time)
	}
	f.Summary = operationSymptoms(s, op, long, retrying)
	operationStateEvidence(&f, op)
	operationWaitCause(s, app, &f)
	if _, line, read := controllerReadiness(s); read {
		f.Evidence = append(f.Evidence, line)
	}
	if op.Phase == argocd.PhaseRunning {
		f.Fixes = append(f.Fixes, terminateOperationFix(s, app))
	} else {
		f.Summary += "; it is already Terminating, so the controller is not finishing it"
	}
	return f
}

// operationSymptoms says how the operation is stuck: running too long,
// retrying, or both.
func operationSymptoms(s *snapshot.Snapshot, op *argocd.OperationState, long, retrying bool) string {
	var why []string
	if long {
		why = append(why, fmt.Sprintf("has been %s for %s", op.Phase, formatAge(s.Now.Sub(op.StartedAt.Time))))
	}
	if retrying {
		why = append(why, fmt.Sprintf("is retrying (retryCount %d)", op.RetryCount))
	}
	return "Sync operation " + strings.Join(why, " and ")
}

// operationStateEvidence quotes status.operationState and every syncResult
// resource not yet Synced or Succeeded.
func operationStateEvidence(f *report.Finding, op *argocd.OperationState) {
	f.Evidence = append(f.Evidence,
		fmt.Sprintf("status.operationState.phase %s, startedAt %s", op.Phase, startedText(op.StartedAt.Time)),
		fmt.Sprintf("status.operationState.retryCount %d", op.RetryCount))
	if op.Message != "" {
		f.Evidence = append(f.Evidence, "status.operationState.message: "+op.Message)
	}
	if op.SyncResult == nil {
		return
	}
	for _, r := range op.SyncResult.Resources {
		if r.HookPhase == argocd.PhaseSucceeded || (r.HookPhase == "" && r.Status == "Synced") {
			continue
		}
		f.Evidence = append(f.Evidence, resourceResultEvidence(r))
	}
}

// operationWaitCause: the controller's message names the resource it waits
// for; its live object says why it is not there yet, by Argo CD's health
// rules. The worst fact joins the summary.
func operationWaitCause(s *snapshot.Snapshot, app *argocd.Application, f *report.Finding) {
	m := waitingForPattern.FindStringSubmatch(app.Status.OperationState.Message)
	if m == nil {
		return
	}
	group, kind, name := m[2], m[3], m[4]
	label := kind + "/" + name
	if group != "" {
		label = kind + "." + group + "/" + name
	}
	f.Summary += fmt.Sprintf(", waiting for %s %s", m[1], label)
	r, ok := findResource(app, group, kind, name)
	if !ok {
		return
	}
	obj, known := s.LiveObject(app, r)
	if !known {
		return
	}
	ref := report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
	if obj == nil {
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s does not exist", ref))
		return
	}
	h, _ := health.Of(obj)
	for _, fact := range h.Facts {
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s: %s", ref, fact))
	}
	if len(h.Facts) > 0 {
		f.Summary += " (" + h.Facts[0] + ")"
	}
}

// findResource finds the status.resources entry of group/kind/name.
func findResource(app *argocd.Application, group, kind, name string) (argocd.ResourceStatus, bool) {
	for _, r := range app.Status.Resources {
		if r.Group == group && r.Kind == kind && r.Name == name {
			return r, true
		}
	}
	return argocd.ResourceStatus{}, false
}

// startedText renders a start time that Argo CD may have left unset.
func startedText(t time.Time) string {
	if t.IsZero() {
		return "(not set)"
	}
	return report.FormatTime(t)
}

// explainedBySpecificFinding: one cause, one finding. An operation held by
// a hook (hook-stuck) or a sync window (sync-window-blocking) is reported
// there, with the hook or window named, not here.
func explainedBySpecificFinding(s *snapshot.Snapshot, app *argocd.Application) bool {
	if _, _, stuck := hookStuck(s, app); stuck {
		return true
	}
	held, _, _ := syncWindowBlocks(s, app)
	return held
}
