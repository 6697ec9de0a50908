package diagnose

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestComponentUnavailable(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*snapshot.Snapshot)
		want   []string
	}{
		{"default install: all ready", func(*snapshot.Snapshot) {}, nil},
		{"repo-server scaled to zero", func(s *snapshot.Snapshot) {
			r := int32(0)
			d := deployment(s, argocd.ComponentRepoServer)
			d.Spec.Replicas, d.Status.ReadyReplicas = &r, 0
		}, []string{"component-unavailable Deployment/argocd-repo-server"}},
		{"repo-server just scaled to zero, its pod still ready", func(s *snapshot.Snapshot) {
			r := int32(0)
			deployment(s, argocd.ComponentRepoServer).Spec.Replicas = &r
		}, []string{"component-unavailable Deployment/argocd-repo-server"}},
		{"controller not ready", func(s *snapshot.Snapshot) { controllerSTS(s).Status.ReadyReplicas = 0 },
			[]string{"component-unavailable StatefulSet/argocd-application-controller"}},
		{"server scaled to zero on purpose", func(s *snapshot.Snapshot) {
			r := int32(0)
			d := deployment(s, argocd.ComponentServer)
			d.Spec.Replicas, d.Status.ReadyReplicas = &r, 0
		}, nil},
		{"status lags a ready pod", func(s *snapshot.Snapshot) {
			deployment(s, argocd.ComponentRepoServer).Status.ReadyReplicas = 0
			for i := range s.Install.Pods {
				s.Install.Pods[i].Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
			}
		}, nil},
		{"dex not ready is not core", func(s *snapshot.Snapshot) { deployment(s, "argocd-dex-server").Status.ReadyReplicas = 0 }, nil},
		{"ignored by annotation", func(s *snapshot.Snapshot) {
			controllerSTS(s).Status.ReadyReplicas = 0
			controllerSTS(s).Annotations = map[string]string{IgnoreAnnotation: "version-skew, component-unavailable"}
		}, nil},
		{"ignored by --ignore", func(s *snapshot.Snapshot) {
			controllerSTS(s).Status.ReadyReplicas = 0
			s.Ignore = []string{"component-unavailable"}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantObjects(t, runCheck(t, "component-unavailable", installSnapshot(tt.mutate)), tt.want...)
		})
	}
}
