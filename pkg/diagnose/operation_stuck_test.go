package diagnose

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckOperationStuck(t *testing.T) {
	withOp := func(phase string, started time.Duration, retries int64, msg string, results ...argocd.ResourceResult) func(*argocd.Application) {
		return func(a *argocd.Application) {
			a.Status.OperationState = &argocd.OperationState{
				Phase: phase, StartedAt: metav1.NewTime(testNow.Add(-started)), RetryCount: retries, Message: msg,
				SyncResult: &argocd.SyncResult{Resources: results},
			}
			a.Status.Resources = []argocd.ResourceStatus{resource("networking.k8s.io", "Ingress", a.Name, "web")}
		}
	}
	manages := func(rs ...argocd.ResourceStatus) func(*argocd.Application) {
		return func(a *argocd.Application) { a.Status.Resources = rs }
	}
	ingress := testObject("networking.k8s.io/v1", "Ingress", "shop", "web")
	runCheckCases(t, "operation-stuck", []checkCase{
		{
			name: "running for 20m waiting for an Ingress without load balancer status",
			snapshot: withLiveObjects(testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, 20*time.Minute, 0,
				"waiting for healthy state of networking.k8s.io/Ingress/web",
				argocd.ResourceResult{Group: "networking.k8s.io", Kind: "Ingress", Namespace: "shop", Name: "web", Status: "Synced", HookPhase: "Running"},
				argocd.ResourceResult{Kind: "Service", Namespace: "shop", Name: "web", Status: "Synced"},
			))), ingress),
			want: []string{"operation-stuck shop"},
			wantText: []string{
				"Sync operation has been Running for 20m, waiting for healthy state of Ingress.networking.k8s.io/web (status.loadBalancer.ingress is empty",
				"status.operationState.phase Running, startedAt 2026-11-25T09:40:00Z",
				"syncResult Ingress.networking.k8s.io shop/web: status Synced, hookPhase Running",
				`patch applications.argoproj.io shop --type json -p '[{"op":"test","path":"/status/operationState/phase","value":"Running"},{"op":"replace","path":"/status/operationState/phase","value":"Terminating"}]'`,
			},
			notText:   []string{"syncResult Service shop/web"},
			wantFixes: []string{"terminate-operation"},
		},
		{
			name: "waiting for a Deployment whose pods are not ready: every short field, worst first",
			snapshot: withLiveObjects(testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, 20*time.Minute, 0,
				"waiting for healthy state of apps/Deployment/web"), manages(resource("apps", "Deployment", "shop", "web")))),
				testObject("apps/v1", "Deployment", "shop", "web", func(u *unstructured.Unstructured) {
					u.SetGeneration(4)
					u.Object["spec"] = map[string]any{"replicas": int64(3)}
					u.Object["status"] = map[string]any{"observedGeneration": int64(3), "readyReplicas": int64(1), "updatedReplicas": int64(3)}
				})),
			want: []string{"operation-stuck shop"},
			wantText: []string{
				"waiting for healthy state of Deployment.apps/web (status.readyReplicas 1 of spec.replicas 3)",
				"Deployment.apps shop/web: status.readyReplicas 1 of spec.replicas 3\nDeployment.apps shop/web: status.observedGeneration 3 < metadata.generation 4\n",
			},
			notText: []string{"status.updatedReplicas"},
		},
		{
			// One cause, one finding: hook-stuck reports it (hook_stuck_test.go).
			name: "waiting for a hook Job for 20m: left to hook-stuck, silent",
			snapshot: withLiveObjects(testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, 20*time.Minute, 0,
				"waiting for completion of hook batch/Job/migrate"), manages(resource("batch", "Job", "shop", "migrate")))),
				testObject("batch/v1", "Job", "shop", "migrate", objDeleting(10*time.Minute, "example.com/hold"))),
			want: []string{},
		},
		{
			name: "held by a sync window: left to sync-window-blocking, silent",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, 20*time.Minute, 0,
				"Sync operation blocked by sync window"))),
			want: []string{},
		},
		{
			name: "waiting for a resource that is gone",
			snapshot: withKindsRead(testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, 20*time.Minute, 0,
				"waiting for healthy state of /PersistentVolumeClaim/data"), manages(resource("", "PersistentVolumeClaim", "shop", "data")))),
				schema.GroupKind{Kind: "PersistentVolumeClaim"}),
			want:     []string{"operation-stuck shop"},
			wantText: []string{"waiting for healthy state of PersistentVolumeClaim/data", "PersistentVolumeClaim shop/data does not exist"},
		},
		{
			name: "waiting for a healthy object: no live fact",
			snapshot: withLiveObjects(testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, 20*time.Minute, 0,
				"waiting for healthy state of networking.k8s.io/Ingress/web"))),
				testObject("networking.k8s.io/v1", "Ingress", "shop", "web", func(u *unstructured.Unstructured) {
					u.Object["status"] = map[string]any{"loadBalancer": map[string]any{"ingress": []any{map[string]any{"ip": "203.0.113.10"}}}}
				})),
			want:     []string{"operation-stuck shop"},
			wantText: []string{"waiting for healthy state of Ingress.networking.k8s.io/web\n"},
			notText:  []string{"Ingress.networking.k8s.io shop/web:"},
		},
		{
			name:     "running for 2m: silent",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, 2*time.Minute, 0, "one or more tasks are running"))),
			want:     []string{},
		},
		{
			name:     "finished operation long ago: silent",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseSucceeded, time.Hour, 0, "successfully synced"))),
			want:     []string{},
		},
		{
			name: "retry loop fires before stuck-after",
			snapshot: testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, time.Minute, 1,
				"one or more objects failed to apply. Retrying attempt #1 at 9:59AM."))),
			want:      []string{"operation-stuck shop"},
			wantText:  []string{"is retrying (retryCount 1)", "Retrying attempt #1"},
			wantFixes: []string{"terminate-operation"},
		},
		{
			name:      "retryCount 3 counts as a loop",
			snapshot:  testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, time.Minute, 3, "one or more tasks are running"))),
			want:      []string{"operation-stuck shop"},
			wantText:  []string{"status.operationState.retryCount 3"},
			wantFixes: []string{"terminate-operation"},
		},
		{
			name: "no controller Ready: terminate-operation is high risk and says to start it first",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, 30*time.Minute, 0, "")))
				s.Read[snapshot.Controller] = true
				return s
			}(),
			want:      []string{"operation-stuck shop"},
			wantText:  []string{"no argocd-application-controller pod is Ready in argocd", "start it first"},
			wantFixes: []string{"terminate-operation"},
		},
		{
			name:      "already Terminating: no terminate fix",
			snapshot:  testSnapshot(testApp("shop", withOp(argocd.PhaseTerminating, 30*time.Minute, 0, ""))),
			want:      []string{"operation-stuck shop"},
			wantText:  []string{"already Terminating"},
			wantFixes: []string{},
		},
	})
}
