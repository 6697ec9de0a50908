package diagnose

import (
	"strings"
	"testing"

	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestControllerReplicasMismatch(t *testing.T) {
	scale := func(n int32) func(*snapshot.Snapshot) {
		return func(s *snapshot.Snapshot) { controllerSTS(s).Spec.Replicas = &n }
	}
	tests := []struct {
		name   string
		mutate func(*snapshot.Snapshot)
		want   []string
		fix    string
	}{
		{"install.yaml: 1 and 1", func(*snapshot.Snapshot) {}, nil, ""},
		{"scaled to 3, env still 1", scale(3), []string{"controller-replicas-mismatch StatefulSet/argocd-application-controller"}, `"value":"3"`},
		{"env says 3, one replica", func(s *snapshot.Snapshot) { controllerSTS(s).Spec.Template.Spec.Containers[0].Env[0].Value = "3" },
			[]string{"controller-replicas-mismatch StatefulSet/argocd-application-controller"}, `"value":"1"`},
		{"no env and one replica", func(s *snapshot.Snapshot) { controllerSTS(s).Spec.Template.Spec.Containers[0].Env = nil }, nil, ""},
		{"no env and two replicas", func(s *snapshot.Snapshot) {
			controllerSTS(s).Spec.Template.Spec.Containers[0].Env = nil
			scale(2)(s)
		}, []string{"controller-replicas-mismatch StatefulSet/argocd-application-controller"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runCheck(t, "controller-replicas-mismatch", installSnapshot(tt.mutate))
			wantObjects(t, got, tt.want...)
			if tt.fix != "" {
				if len(got) != 1 || len(got[0].Fixes) != 1 || !strings.Contains(string(got[0].Fixes[0].Actions[0].Body), tt.fix) {
					t.Errorf("want a set-controller-replicas fix writing %s, got %+v", tt.fix, got)
				}
			}
		})
	}
}
