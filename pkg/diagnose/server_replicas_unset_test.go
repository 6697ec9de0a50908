package diagnose

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestServerReplicasUnset(t *testing.T) {
	server := func(s *snapshot.Snapshot) *appsv1.Deployment {
		for i := range s.Install.Deployments {
			if s.Install.Deployments[i].Name == argocd.ComponentServer {
				return &s.Install.Deployments[i]
			}
		}
		t.Fatal("no argocd-server in the fixture")
		return nil
	}
	scale := func(n int32, env ...corev1.EnvVar) func(*snapshot.Snapshot) {
		return func(s *snapshot.Snapshot) {
			d := server(s)
			d.Spec.Replicas = &n
			d.Spec.Template.Spec.Containers[0].Env = append(d.Spec.Template.Spec.Containers[0].Env, env...)
		}
	}
	tests := []struct {
		name   string
		mutate func(*snapshot.Snapshot)
		want   string // "" silent
	}{
		{"install.yaml: one replica", func(*snapshot.Snapshot) {}, ""},
		{"three replicas, variable unset", scale(3), "without ARGOCD_API_SERVER_REPLICAS"},
		{"three replicas, variable 2", scale(3, corev1.EnvVar{Name: argocd.EnvAPIServerReplicas, Value: "2"}), `ARGOCD_API_SERVER_REPLICAS is "2"`},
		{"three replicas, variable 3", scale(3, corev1.EnvVar{Name: argocd.EnvAPIServerReplicas, Value: "3"}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runCheck(t, "server-replicas-unset", installSnapshot(tt.mutate))
			switch {
			case tt.want == "" && len(got) != 0:
				t.Errorf("want silence, got %+v", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0].Summary, tt.want) || !strings.Contains(findingText(got[0]), "kubectl -n argocd set env deployment/argocd-server ARGOCD_API_SERVER_REPLICAS=3")):
				t.Errorf("want a finding saying %q, got %+v", tt.want, got)
			}
		})
	}
}
