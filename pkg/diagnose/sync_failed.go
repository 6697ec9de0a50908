package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkSyncFailed reports Applications whose last operation Failed or
// Errored (and no new operation has been requested since), or that carry a
// SyncError condition. One cause, one finding: a ComparisonError, a kind
// without its CRD (comparison-error) and a resource the project refuses
// (project-denied) are left to their own findings.
func checkSyncFailed(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		op := app.Status.OperationState
		failed := op != nil && (op.Phase == argocd.PhaseFailed || op.Phase == argocd.PhaseError) && app.Operation == nil &&
			!failureExplainedElsewhere(app)
		var conds []argocd.ApplicationCondition
		for _, c := range app.Status.Conditions {
			if c.Type == "SyncError" {
				conds = append(conds, c)
			}
		}
		if !failed && len(conds) == 0 {
			continue
		}
		findings = append(findings, syncFailedFinding(app, failed, conds))
	}
	return findings
}

func syncFailedFinding(app *argocd.Application, failed bool, conds []argocd.ApplicationCondition) report.Finding {
	f := report.Finding{
		ID:     "sync-failed",
		Object: appRef(app),
	}
	var summary []string
	var first *argocd.ResourceResult
	if failed {
		op := app.Status.OperationState
		when := op.StartedAt.Time
		line := fmt.Sprintf("status.operationState.phase %s, startedAt %s", op.Phase, report.FormatTime(when))
		if op.FinishedAt != nil {
			when = op.FinishedAt.Time
			line += ", finishedAt " + report.FormatTime(when)
		}
		f.Since = timePtr(when)
		f.Evidence = append(f.Evidence, line)
		if op.Message != "" {
			f.Evidence = append(f.Evidence, "status.operationState.message: "+op.Message)
		}
		if op.SyncResult != nil {
			for i, r := range op.SyncResult.Resources {
				if resultFailed(r) && !resultExplainedElsewhere(r) {
					f.Evidence = append(f.Evidence, resourceResultEvidence(r))
					if first == nil {
						first = &op.SyncResult.Resources[i]
					}
				}
			}
		}
		s := "last sync " + op.Phase
		if first != nil {
			ref := report.ObjectRef{Group: first.Group, Kind: first.Kind, Namespace: first.Namespace, Name: first.Name}
			s += fmt.Sprintf(" at %s", ref)
			if first.Message != "" {
				s += ": " + first.Message
			}
		} else if op.Message != "" {
			s += ": " + op.Message
		}
		summary = append(summary, s)
	}
	for _, c := range conds {
		addCondition(&f, c)
		summary = append(summary, c.Type+": "+c.Message)
	}
	f.Summary = "Application " + strings.Join(summary, "; ")
	return f
}

// resultFailed tells whether one syncResult resource failed.
func resultFailed(r argocd.ResourceResult) bool {
	return r.Status == "SyncFailed" || r.HookPhase == argocd.PhaseFailed || r.HookPhase == argocd.PhaseError
}

// resultExplainedElsewhere: a resource refused for lack of its CRD
// (comparison-error) or by the project (project-denied).
func resultExplainedElsewhere(r argocd.ResourceResult) bool {
	return argocd.IsCRDMissing(r.Message) || strings.Contains(r.Message, repoDeniedText)
}

// failureExplainedElsewhere: the failed operation's every failed resource
// belongs to another finding, or the operation failed because the app
// could not be compared (its message starts with ComparisonError while the
// condition stands).
func failureExplainedElsewhere(app *argocd.Application) bool {
	op := app.Status.OperationState
	if strings.HasPrefix(op.Message, "ComparisonError") {
		for _, c := range app.Status.Conditions {
			if c.Type == "ComparisonError" {
				return true
			}
		}
	}
	if op.SyncResult == nil {
		return false
	}
	some := false
	for _, r := range op.SyncResult.Resources {
		if !resultFailed(r) {
			continue
		}
		if !resultExplainedElsewhere(r) {
			return false
		}
		some = true
	}
	return some
}
