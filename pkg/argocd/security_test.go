package argocd

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"testing"
)

func jwt(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

func TestCredentialFromConfig(t *testing.T) {
	legacy := jwt(map[string]any{"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/secret.name": "tok", "kubernetes.io/serviceaccount/namespace": "kube-system"})
	bound := jwt(map[string]any{"iss": "https://kubernetes.default.svc", "exp": 2000000000})
	tests := []struct {
		config string
		want   ClusterCredential
	}{
		{`{"bearerToken":"` + legacy + `"}`, ClusterCredential{Method: "bearerToken", LegacyToken: true, NoExpiry: true, TokenSecret: "tok", Namespace: "kube-system"}},
		{`{"bearerToken":"` + bound + `"}`, ClusterCredential{Method: "bearerToken"}},
		{`{"bearerToken":"opaque"}`, ClusterCredential{Method: "bearerToken"}},
		{`{"execProviderConfig":{"command":"argocd-k8s-auth"}}`, ClusterCredential{Method: "execProviderConfig"}},
		{`{"awsAuthConfig":{"clusterName":"x"}}`, ClusterCredential{Method: "awsAuthConfig"}},
		{`not json`, ClusterCredential{}},
	}
	for _, tt := range tests {
		if got := CredentialFromConfig([]byte(tt.config)); got != tt.want {
			t.Errorf("CredentialFromConfig(%s) = %+v, want %+v", tt.config, got, tt.want)
		}
	}
}

func TestRBAC(t *testing.T) {
	rbac := map[string]string{
		"policy.default":   "role:dev",
		"policy.csv":       "# comment\np, role:dev, applications, get, */*, allow\ng, role:dev, role:ops",
		"policy.ops.csv":   "p, role:ops, exec, create, */*, allow\np, role:ops, applications, sync, */*, deny",
		"policy.matchMode": "glob",
	}
	grants := ExecGrants(rbac)
	if !slices.Equal(grants, []string{"argocd-rbac-cm policy.ops.csv line 1: p, role:ops, exec, create, */*, allow"}) {
		t.Errorf("ExecGrants = %v", grants)
	}
	if broad, ev := RoleGrants(rbac, "role:dev"); !broad || len(ev) != 1 {
		t.Errorf("role:dev inherits exec from role:ops: broad %v, %v", broad, ev)
	}
	if broad, _ := RoleGrants(rbac, "role:readonly"); broad {
		t.Error("role:readonly is not broad")
	}
	if sso, _ := SSOConfigured(map[string]string{"dex.config": "x"}); sso {
		t.Error("dex.config without url is not SSO")
	}
}
