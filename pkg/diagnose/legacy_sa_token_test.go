package diagnose

import (
	"fmt"
	"testing"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestLegacySAToken(t *testing.T) {
	cluster := func(config string) func(*snapshot.Snapshot) {
		return func(s *snapshot.Snapshot) {
			s.Clusters = append(s.Clusters, argocd.Cluster{SecretNamespace: "argocd", SecretName: "prod", Server: "https://prod.example.com",
				Credential: argocd.CredentialFromConfig([]byte(config))})
		}
	}
	legacy := testJWT(map[string]any{"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/secret.name": "argocd-manager-token-x7k2p",
		"kubernetes.io/serviceaccount/service-account.name": "argocd-manager", "kubernetes.io/serviceaccount/namespace": "kube-system"})
	bound := testJWT(map[string]any{"iss": "https://kubernetes.default.svc", "exp": 1893456000})
	runSecurityCases(t, "legacy-sa-token", []securityCase{
		{name: "no cluster Secrets"},
		{name: "legacy token", mutate: cluster(fmt.Sprintf(`{"bearerToken":%q}`, legacy)), want: []string{"legacy-sa-token Secret/prod"},
			evidence: "value not shown"},
		{name: "bound token", mutate: cluster(fmt.Sprintf(`{"bearerToken":%q}`, bound))},
		{name: "exec provider", mutate: cluster(`{"execProviderConfig":{"command":"argocd-k8s-auth","args":["aws"]}}`)},
		{name: "opaque token without claims", mutate: cluster(`{"bearerToken":"abc"}`)},
	})
}
