package diagnose

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckHookStuck(t *testing.T) {
	presync := argocd.ResourceResult{Group: "batch", Kind: "Job", Namespace: "shop", Name: "migrate", HookType: "PreSync", HookPhase: "Running", SyncPhase: "PreSync", Message: "job.batch/migrate created"}
	withOp := func(phase string, started time.Duration, msg string, results ...argocd.ResourceResult) func(*argocd.Application) {
		return func(a *argocd.Application) {
			a.Status.OperationState = &argocd.OperationState{Phase: phase, StartedAt: metav1.NewTime(testNow.Add(-started)), Message: msg,
				SyncResult: &argocd.SyncResult{Resources: results}}
		}
	}
	withHooks := func(s *snapshot.Snapshot, objs ...*unstructured.Unstructured) *snapshot.Snapshot {
		s.Hooks = map[snapshot.LiveKey]*unstructured.Unstructured{}
		for _, o := range objs {
			gvk := o.GroupVersionKind()
			s.Hooks[snapshot.LiveKey{Group: gvk.Group, Kind: gvk.Kind, Namespace: o.GetNamespace(), Name: o.GetName()}] = o
		}
		s.Read[snapshot.Hooks] = true
		s.Read[snapshot.Pods] = true
		s.Resources = map[schema.GroupKind]schema.GroupVersionResource{{Group: "batch", Kind: "Job"}: {Group: "batch", Version: "v1", Resource: "jobs"}}
		return s
	}
	job := testObject("batch/v1", "Job", "shop", "migrate", func(u *unstructured.Unstructured) {
		u.SetAnnotations(map[string]string{hookAnnotation: "PreSync", hookDeletePolicyAnnotation: "HookSucceeded"})
	})
	pullPod := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "migrate-x7k2p", Namespace: "shop", Labels: map[string]string{"job-name": "migrate"}},
		Status: corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "migrate",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"}}}}}}
	waiting := "waiting for completion of hook batch/Job/migrate"
	runCheckCases(t, "hook-stuck", []checkCase{
		{
			name:     "PreSync Job waiting for 20m",
			snapshot: withHooks(testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, 20*time.Minute, waiting, presync))), job),
			want:     []string{"hook-stuck shop"},
			wantText: []string{"Sync operation Running for 20m", "waiting for PreSync hook Job.batch shop/migrate",
				"hook-delete-policy HookSucceeded", "syncResult Job.batch shop/migrate: hookPhase Running"},
			wantFixes: []string{"terminate-operation"},
		},
		{
			name: "hook pod cannot pull its image: fires at once",
			snapshot: func() *snapshot.Snapshot {
				s := withHooks(testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, time.Minute, waiting, presync))), job)
				s.Pods = []corev1.Pod{pullPod}
				return s
			}(),
			want:     []string{"hook-stuck shop"},
			wantText: []string{"(pod migrate-x7k2p container migrate waiting: ImagePullBackOff)", "Pod shop/migrate-x7k2p: phase Pending, container migrate waiting (ImagePullBackOff)"},
		},
		{
			name:     "hook waiting 1m, pods fine: silent",
			snapshot: withHooks(testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, time.Minute, waiting, presync))), job),
			want:     []string{},
		},
		{
			name:     "waiting for a healthy resource, not a hook: silent",
			snapshot: withHooks(testSnapshot(testApp("shop", withOp(argocd.PhaseRunning, time.Hour, "waiting for healthy state of apps/Deployment/web")))),
			want:     []string{},
		},
		{
			name: "leftover hook finalizer after the operation ended",
			snapshot: withHooks(testSnapshot(testApp("shop", withOp(argocd.PhaseSucceeded, time.Hour, "successfully synced (all tasks run)",
				argocd.ResourceResult{Group: "batch", Kind: "Job", Namespace: "shop", Name: "migrate", HookType: "PreSync", HookPhase: "Succeeded"}))),
				testObject("batch/v1", "Job", "shop", "migrate", objDeleting(30*time.Minute, argocd.HookFinalizer, "example.com/keep"))),
			want: []string{"hook-stuck shop"},
			wantText: []string{"PreSync hook Job.batch shop/migrate has been deleting for 30m",
				`{"op":"replace","path":"/metadata/finalizers","value":["example.com/keep"]}`},
			wantFixes: []string{"remove-finalizers"},
		},
	})
}
