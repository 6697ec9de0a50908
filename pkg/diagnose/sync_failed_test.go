package diagnose

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

func TestCheckSyncFailed(t *testing.T) {
	withOp := func(phase, msg string, results ...argocd.ResourceResult) func(*argocd.Application) {
		return func(a *argocd.Application) {
			a.Status.OperationState = &argocd.OperationState{
				Phase: phase, Message: msg, StartedAt: metav1.NewTime(testNow.Add(-time.Hour)), FinishedAt: timeAgo(50 * time.Minute),
				SyncResult: &argocd.SyncResult{Resources: results},
			}
		}
	}
	runCheckCases(t, "sync-failed", []checkCase{
		{
			name: "failed sync names the failing resource and hook",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseFailed, "one or more objects failed to apply",
				argocd.ResourceResult{Kind: "ConfigMap", Namespace: "shop", Name: "ok", Status: "Synced"},
				argocd.ResourceResult{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web", Status: "SyncFailed",
					Message: `Deployment.apps "web" is invalid: spec.template.spec.containers[0].image: Required value`},
				argocd.ResourceResult{Group: "batch", Kind: "Job", Namespace: "shop", Name: "migrate", HookPhase: "Failed", Message: "Job has reached the specified backoff limit"},
			))),
			want: []string{"sync-failed shop"},
			wantText: []string{
				`Application last sync Failed at Deployment.apps shop/web: Deployment.apps "web" is invalid`,
				"status.operationState.phase Failed, startedAt 2026-11-25T09:00:00Z, finishedAt 2026-11-25T09:10:00Z",
				"syncResult Job.batch shop/migrate: hookPhase Failed: Job has reached the specified backoff limit",
			},
			notText:   []string{"shop/ok"},
			wantFixes: []string{},
		},
		{
			name:     "succeeded sync: silent",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseSucceeded, "successfully synced"))),
			want:     []string{},
		},
		{
			name: "failed but a new operation is requested: superseded, silent",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseError, "boom"), func(a *argocd.Application) {
				a.Operation = &argocd.Operation{Sync: &argocd.SyncOperation{Revision: "main"}}
			})),
			want: []string{},
		},
		{
			// One cause, one finding: comparison-error reports it.
			name: "ComparisonError condition alone: left to comparison-error, silent",
			snapshot: testSnapshot(testApp("shop", func(a *argocd.Application) {
				a.Status.Conditions = []argocd.ApplicationCondition{{Type: "ComparisonError", Message: "Failed to load target state: rpc error", LastTransitionTime: timeAgo(3 * time.Minute)}}
			})),
			want: []string{},
		},
		{
			name: "SyncError condition alone fires",
			snapshot: testSnapshot(testApp("shop", func(a *argocd.Application) {
				a.Status.Conditions = []argocd.ApplicationCondition{{Type: "SyncError", Message: "Failed sync attempt: one or more objects failed to apply", LastTransitionTime: timeAgo(3 * time.Minute)}}
			})),
			want:     []string{"sync-failed shop"},
			wantText: []string{"Application SyncError: Failed sync attempt", "condition SyncError since 2026-11-25T09:57:00Z"},
		},
		{
			name: "failed only for a missing CRD: left to comparison-error, silent",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseFailed, "one or more synchronization tasks are not valid",
				argocd.ResourceResult{Group: "example.com", Kind: "Widget", Namespace: "shop", Name: "w", Status: "SyncFailed",
					Message: `The Kubernetes API could not find example.com/Widget for requested resource shop/w. Make sure the "Widget" CRD is installed on the destination cluster.`},
			))),
			want: []string{},
		},
		{
			name: "failed only for a kind the project refuses: left to project-denied, silent",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseFailed, "one or more synchronization tasks are not valid",
				argocd.ResourceResult{Kind: "Namespace", Name: "shop", Status: "SyncFailed", Message: "resource :Namespace is not permitted in project team"},
			))),
			want: []string{},
		},
		{
			name: "a missing CRD next to a real failure: fires on the real one",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseFailed, "one or more objects failed to apply",
				argocd.ResourceResult{Group: "example.com", Kind: "Widget", Namespace: "shop", Name: "w", Status: "SyncFailed",
					Message: "the server could not find the requested resource"},
				argocd.ResourceResult{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web", Status: "SyncFailed", Message: "admission webhook denied"},
			))),
			want:     []string{"sync-failed shop"},
			wantText: []string{"at Deployment.apps shop/web: admission webhook denied"},
			notText:  []string{"Widget"},
		},
		{
			name:     "Error phase without results uses the message",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseError, "ComparisonError: rpc error: code = Unknown"))),
			want:     []string{"sync-failed shop"},
			wantText: []string{"Application last sync Error: ComparisonError: rpc error"},
		},
	})
}
