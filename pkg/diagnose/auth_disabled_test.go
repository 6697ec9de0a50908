package diagnose

import "testing"

func TestAuthDisabled(t *testing.T) {
	runSecurityCases(t, "auth-disabled", []securityCase{
		{name: "default"},
		{name: "false", params: map[string]string{"server.disable.auth": "false"}},
		{name: "disabled", params: map[string]string{"server.disable.auth": "true"}, want: []string{"auth-disabled ConfigMap/argocd-cmd-params-cm"}, severity: "error",
			evidence: `server.disable.auth: "true"`},
	})
}
