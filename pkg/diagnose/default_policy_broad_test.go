package diagnose

import "testing"

func TestDefaultPolicyBroad(t *testing.T) {
	runSecurityCases(t, "default-policy-broad", []securityCase{
		{name: "default"},
		{name: "readonly", rbac: map[string]string{"policy.default": "role:readonly"}},
		{name: "admin", rbac: map[string]string{"policy.default": "role:admin"}, want: []string{"default-policy-broad ConfigMap/argocd-rbac-cm"}},
		{name: "custom role that only reads", rbac: map[string]string{"policy.default": "role:viewer", "policy.csv": "p, role:viewer, applications, get, */*, allow"}},
		{name: "custom role that syncs", rbac: map[string]string{"policy.default": "role:dev", "policy.csv": "p, role:dev, applications, get, */*, allow\np, role:dev, applications, sync, */*, allow"},
			want: []string{"default-policy-broad ConfigMap/argocd-rbac-cm"}, evidence: "line 2: p, role:dev, applications, sync"},
		{name: "custom role inheriting admin", rbac: map[string]string{"policy.default": "role:dev", "policy.csv": "g, role:dev, role:admin"},
			want: []string{"default-policy-broad ConfigMap/argocd-rbac-cm"}},
	})
}
