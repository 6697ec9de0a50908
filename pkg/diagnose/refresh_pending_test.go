package diagnose

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckRefreshPending(t *testing.T) {
	refresh := func(reconciled *metav1.Time) func(*argocd.Application) {
		return func(a *argocd.Application) {
			a.Annotations = map[string]string{argocd.RefreshAnnotation: "hard"}
			a.Status.ReconciledAt = reconciled
		}
	}
	runCheckCases(t, "refresh-pending", []checkCase{
		{
			name: "annotation set and last reconciled 20m ago, no controller pod",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("shop", refresh(timeAgo(20*time.Minute))))
				s.Read[snapshot.Controller] = true
				return s
			}(),
			want: []string{"refresh-pending shop"},
			wantText: []string{
				"A hard refresh was requested but the controller last reconciled the app 20m ago; the application-controller has no ready pod",
				`metadata.annotations[argocd.argoproj.io/refresh] = "hard"`, "status.reconciledAt 2026-11-25T09:40:00Z",
				"no argocd-application-controller pod in namespace argocd",
			},
			wantFixes: []string{},
		},
		{
			name:     "annotation set, reconciled a minute ago: silent (refresh in progress)",
			snapshot: testSnapshot(testApp("shop", refresh(timeAgo(time.Minute)))),
			want:     []string{},
		},
		{
			name:     "old reconciledAt without annotation: silent",
			snapshot: testSnapshot(testApp("shop", func(a *argocd.Application) { a.Status.ReconciledAt = timeAgo(time.Hour) })),
			want:     []string{},
		},
		{
			name: "never reconciled, ready controller",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("shop", refresh(nil)))
				s.Read[snapshot.Controller] = true
				s.ControllerPods = []corev1.Pod{{ObjectMeta: metav1.ObjectMeta{Name: "argocd-application-controller-0"},
					Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}}
				return s
			}(),
			want:     []string{"refresh-pending shop"},
			wantText: []string{"status.reconciledAt is not set", "argocd-application-controller-0 Ready (phase Running)"},
			notText:  []string{"no ready pod"},
		},
	})
}
