package diagnose

import "testing"

func TestExecEnabled(t *testing.T) {
	runSecurityCases(t, "exec-enabled", []securityCase{
		{name: "default", want: nil},
		{name: "exec false", cm: map[string]string{"exec.enabled": "false"}},
		{name: "exec on, nobody granted", cm: map[string]string{"exec.enabled": "true"}, want: []string{"exec-enabled ConfigMap/argocd-cm"},
			evidence: `exec.enabled: "true"`},
		{name: "exec on, granted by a p line", cm: map[string]string{"exec.enabled": "true"},
			rbac: map[string]string{"policy.csv": "p, role:dev, exec, create, */*, allow\np, role:dev, applications, get, */*, allow"},
			want: []string{"exec-enabled ConfigMap/argocd-cm"}, evidence: "argocd-rbac-cm policy.csv line 1: p, role:dev, exec, create, */*, allow"},
		{name: "exec on, policy.default admin", cm: map[string]string{"exec.enabled": "true"}, rbac: map[string]string{"policy.default": "role:admin"},
			want: []string{"exec-enabled ConfigMap/argocd-cm"}, evidence: "policy.default: role:admin"},
		{name: "exec on, admin group in an extra csv", cm: map[string]string{"exec.enabled": "true"}, rbac: map[string]string{"policy.team.csv": "g, my-org:ops, role:admin"},
			want: []string{"exec-enabled ConfigMap/argocd-cm"}, evidence: "policy.team.csv line 1: g, my-org:ops, role:admin"},
	})
}
