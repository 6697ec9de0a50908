package diagnose

import (
	"testing"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestRepoServerSingle(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*snapshot.Snapshot)
		want   []string
	}{
		{"default install without apps", func(*snapshot.Snapshot) {}, nil},
		{"one replica, 9 apps", func(s *snapshot.Snapshot) { addApps(s, 9) }, nil},
		{"one replica, 10 apps", func(s *snapshot.Snapshot) { addApps(s, 10) }, []string{"repo-server-single Deployment/argocd-repo-server"}},
		{"three replicas", func(s *snapshot.Snapshot) {
			addApps(s, 50)
			n := int32(3)
			deployment(s, argocd.ComponentRepoServer).Spec.Replicas = &n
		}, nil},
		{"ignored", func(s *snapshot.Snapshot) { addApps(s, 10); s.Ignore = []string{"repo-server-single"} }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantObjects(t, runCheck(t, "repo-server-single", installSnapshot(tt.mutate)), tt.want...)
		})
	}
}
