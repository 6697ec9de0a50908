package diagnose

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestVersionSkew(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*snapshot.Snapshot)
		want   []string
	}{
		{"2.14 on Kubernetes 1.30 with its CRDs", func(*snapshot.Snapshot) {}, nil},
		{"Kubernetes too new", func(s *snapshot.Snapshot) { s.Install.ServerVersion = "v1.37.2" },
			[]string{"version-skew StatefulSet/argocd-application-controller"}},
		{"Kubernetes too old", func(s *snapshot.Snapshot) { s.Install.ServerVersion = "v1.27.1+k3s1" },
			[]string{"version-skew StatefulSet/argocd-application-controller"}},
		{"server version unknown", func(s *snapshot.Snapshot) { s.Install.ServerVersion = "" }, nil},
		{"repo-server left on 2.13", func(s *snapshot.Snapshot) {
			deployment(s, argocd.ComponentRepoServer).Spec.Template.Spec.Containers[0].Image = "quay.io/argoproj/argocd:v2.13.0"
		}, []string{"version-skew Deployment/argocd-repo-server"}},
		{"CRD from before 2.14", func(s *snapshot.Snapshot) {
			s.ArgoCRDs = []unstructured.Unstructured{applicationCRD("sources")}
		}, []string{"version-skew CustomResourceDefinition/applications.argoproj.io"}},
		{"image tag latest", func(s *snapshot.Snapshot) {
			for i := range s.Install.Deployments {
				s.Install.Deployments[i].Spec.Template.Spec.Containers[0].Image = "quay.io/argoproj/argocd:latest"
			}
			controllerSTS(s).Spec.Template.Spec.Containers[0].Image = "quay.io/argoproj/argocd:latest"
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantObjects(t, runCheck(t, "version-skew", installSnapshot(tt.mutate)), tt.want...)
		})
	}
}
