package diagnose

import "testing"

func TestAnonymousEnabled(t *testing.T) {
	runSecurityCases(t, "anonymous-enabled", []securityCase{
		{name: "default"},
		{name: "anonymous off", cm: map[string]string{"users.anonymous.enabled": "false"}},
		{name: "anonymous, no default role", cm: map[string]string{"users.anonymous.enabled": "true"}, want: []string{"anonymous-enabled ConfigMap/argocd-cm"}, severity: "error"},
		{name: "anonymous as admin", cm: map[string]string{"users.anonymous.enabled": "true"}, rbac: map[string]string{"policy.default": "role:admin"},
			want: []string{"anonymous-enabled ConfigMap/argocd-cm"}, evidence: "role:admin is built in"},
	})
}
