package diagnose

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCacheResync(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*snapshot.Snapshot)
		want   []string
	}{
		{"few apps", func(s *snapshot.Snapshot) { addApps(s, 400) }, nil},
		{"many apps, default resync", func(s *snapshot.Snapshot) { addApps(s, 401) }, []string{"cache-resync StatefulSet/argocd-application-controller"}},
		{"many apps, resync chosen", func(s *snapshot.Snapshot) {
			addApps(s, 401)
			c := &controllerSTS(s).Spec.Template.Spec.Containers[0]
			c.Env = append(c.Env, corev1.EnvVar{Name: argocd.EnvClusterCacheResync, Value: "24h"})
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantObjects(t, runCheck(t, "cache-resync", installSnapshot(tt.mutate)), tt.want...)
		})
	}
}
