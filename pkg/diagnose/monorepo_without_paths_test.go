package diagnose

import (
	"fmt"
	"testing"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestMonorepoWithoutPaths(t *testing.T) {
	withPaths := func(a *argocd.Application) {
		a.Annotations = map[string]string{argocd.ManifestGeneratePathsAnnotation: "."}
	}
	tests := []struct {
		name   string
		mutate func(*snapshot.Snapshot)
		want   []string
	}{
		{"9 apps on one repo", func(s *snapshot.Snapshot) { addApps(s, 9) }, nil},
		{"10 apps, none with paths", func(s *snapshot.Snapshot) { addApps(s, 10) }, []string{"monorepo-without-paths Deployment/argocd-repo-server"}},
		{"10 apps, all with paths", func(s *snapshot.Snapshot) { addApps(s, 10, withPaths) }, nil},
		{"URL spelt two ways is one repo", func(s *snapshot.Snapshot) {
			addApps(s, 5)
			for i := range 5 {
				s.AllApplications = append(s.AllApplications, testApp(fmt.Sprintf("b-%d", i), func(a *argocd.Application) {
					a.Spec.Source.RepoURL = "https://git.example.com/apps"
				}))
			}
		}, []string{"monorepo-without-paths Deployment/argocd-repo-server"}},
		{"10 apps on ten repos", func(s *snapshot.Snapshot) {
			for i := range 10 {
				s.AllApplications = append(s.AllApplications, testApp(fmt.Sprintf("r-%d", i), func(a *argocd.Application) {
					a.Spec.Source.RepoURL = fmt.Sprintf("https://git.example.com/r%d.git", i)
				}))
			}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantObjects(t, runCheck(t, "monorepo-without-paths", installSnapshot(tt.mutate)), tt.want...)
		})
	}
}
