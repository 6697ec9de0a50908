package diagnose

import "testing"

func TestServerInsecure(t *testing.T) {
	runSecurityCases(t, "server-insecure", []securityCase{
		{name: "default"},
		{name: "insecure", params: map[string]string{"server.insecure": "true"}, want: []string{"server-insecure ConfigMap/argocd-cmd-params-cm"}, severity: "info"},
		{name: "not a boolean", params: map[string]string{"server.insecure": "yes please"}},
	})
}
