package diagnose

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckSyncWindowBlocking(t *testing.T) {
	// testNow is Wednesday 2026-11-25 10:00 UTC.
	withWindows := func(app argocd.Application, windows ...argocd.SyncWindow) *snapshot.Snapshot {
		s := testSnapshot(app)
		s.Projects[0].Spec.SyncWindows = windows
		return s
	}
	auto := func(a *argocd.Application) {
		a.Spec.SyncPolicy = &argocd.SyncPolicy{Automated: &argocd.SyncPolicyAutomated{}}
		a.Status.Sync.Status = "OutOfSync"
	}
	deny := argocd.SyncWindow{Kind: "deny", Schedule: "0 9 * * *", Duration: "2h", Applications: []string{"*"}}
	runCheckCases(t, "sync-window-blocking", []checkCase{
		{
			name:     "auto-sync held by an active deny window",
			snapshot: withWindows(testApp("shop", auto), deny),
			want:     []string{"sync-window-blocking shop"},
			wantText: []string{`deny window "0 9 * * *" active until 2026-11-25T11:00:00Z`, `schedule "0 9 * * *" duration 2h (applications *`},
		},
		{
			name: "Running operation blocked by sync window",
			snapshot: withWindows(testApp("shop", func(a *argocd.Application) {
				a.Status.OperationState = &argocd.OperationState{Phase: argocd.PhaseRunning, Message: "Sync operation blocked by sync window", StartedAt: metav1.NewTime(testNow.Add(-time.Minute))}
			}), deny),
			want:      []string{"sync-window-blocking shop"},
			wantText:  []string{"Sync operation is held by a sync window"},
			wantFixes: []string{"terminate-operation"},
		},
		{
			name:     "allow windows, none active",
			snapshot: withWindows(testApp("shop", auto), argocd.SyncWindow{Kind: "allow", Schedule: "0 22 * * *", Duration: "1h", Namespaces: []string{"shop"}}),
			want:     []string{"sync-window-blocking shop"},
			wantText: []string{"1 allow window match the app and none is active now"},
		},
		{
			name:     "deny window over: silent",
			snapshot: withWindows(testApp("shop", auto), argocd.SyncWindow{Kind: "deny", Schedule: "0 7 * * *", Duration: "2h", Applications: []string{"*"}}),
			want:     []string{},
		},
		{
			name:     "deny window for another app: silent",
			snapshot: withWindows(testApp("shop", auto), argocd.SyncWindow{Kind: "deny", Schedule: "0 9 * * *", Duration: "2h", Applications: []string{"billing-*"}}),
			want:     []string{},
		},
		{
			name:     "no automated sync: silent",
			snapshot: withWindows(testApp("shop", func(a *argocd.Application) { a.Status.Sync.Status = "OutOfSync" }), deny),
			want:     []string{},
		},
	})
}

func TestSyncWindowActiveAt(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // a Wednesday
	for _, tt := range []struct {
		w      argocd.SyncWindow
		active bool
	}{
		{argocd.SyncWindow{Schedule: "*/15 * * * *", Duration: "5m"}, true},
		{argocd.SyncWindow{Schedule: "30 9 * * 1-5", Duration: "1h"}, true},
		{argocd.SyncWindow{Schedule: "30 9 * * 0,6", Duration: "1h"}, false},
		{argocd.SyncWindow{Schedule: "@daily", Duration: "12h"}, true},
		{argocd.SyncWindow{Schedule: "0 10 * * *", Duration: "1h", TimeZone: "Europe/Berlin"}, false},
	} {
		active, _, err := tt.w.ActiveAt(now)
		if err != nil || active != tt.active {
			t.Errorf("%+v ActiveAt = %t, %v; want %t", tt.w, active, err, tt.active)
		}
	}
	if _, _, err := (argocd.SyncWindow{Schedule: "61 * * * *", Duration: "1h"}).ActiveAt(now); err == nil {
		t.Error("a minute of 61 must be refused")
	}
}
