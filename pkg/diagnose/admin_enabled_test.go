package diagnose

import "testing"

func TestAdminEnabled(t *testing.T) {
	runSecurityCases(t, "admin-enabled", []securityCase{
		{name: "default install: admin, no SSO", want: []string{"admin-enabled ConfigMap/argocd-cm"}, severity: "info",
			evidence: "neither dex.config nor oidc.config is set"},
		{name: "admin disabled", cm: map[string]string{"admin.enabled": "false"}},
		{name: "oidc and admin", cm: map[string]string{"oidc.config": "name: Okta\nissuer: https://example.okta.com"}, want: []string{"admin-enabled ConfigMap/argocd-cm"}, severity: "warning"},
		{name: "dex with url and admin", cm: map[string]string{"dex.config": "connectors: []", "url": "https://argocd.example.com"},
			want: []string{"admin-enabled ConfigMap/argocd-cm"}, severity: "warning"},
		{name: "dex without url is no SSO", cm: map[string]string{"dex.config": "connectors: []"}, want: []string{"admin-enabled ConfigMap/argocd-cm"}, severity: "info",
			evidence: "url is not"},
	})
}
