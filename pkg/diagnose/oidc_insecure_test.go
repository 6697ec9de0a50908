package diagnose

import "testing"

func TestOIDCInsecure(t *testing.T) {
	runSecurityCases(t, "oidc-insecure", []securityCase{
		{name: "default"},
		{name: "skip verify", cm: map[string]string{"oidc.tls.insecure.skip.verify": "true"}, want: []string{"oidc-insecure ConfigMap/argocd-cm"}},
		{name: "verify", cm: map[string]string{"oidc.tls.insecure.skip.verify": "false"}},
	})
}
