package argocd

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// argocd-cm and argocd-rbac-cm keys the security audit reads.
const (
	KeyExecEnabled        = "exec.enabled"
	KeyAdminEnabled       = "admin.enabled"
	KeyAnonymousEnabled   = "users.anonymous.enabled"
	KeyDexConfig          = "dex.config"
	KeyOIDCConfig         = "oidc.config"
	KeyOIDCInsecure       = "oidc.tls.insecure.skip.verify"
	KeyURL                = "url"
	KeyPolicyCSV          = "policy.csv"
	KeyPolicyDefault      = "policy.default"
	KeyScopes             = "scopes"
	RoleAdmin             = "role:admin"
	RoleReadonly          = "role:readonly"
	legacyTokenIssuer     = "kubernetes/serviceaccount"
	claimSecretName       = "kubernetes.io/serviceaccount/secret.name"
	claimServiceAccount   = "kubernetes.io/serviceaccount/service-account.name"
	claimTokenNamespace   = "kubernetes.io/serviceaccount/namespace"
	policyCSVPrefix       = "policy."
	policyCSVSuffix       = ".csv"
	policyFieldsPermitted = 6
)

// PolicyLine is one line of argocd-rbac-cm's policy CSVs (policy.csv and
// policy.<name>.csv), as written, with where it is.
type PolicyLine struct {
	Key    string
	Line   int
	Text   string
	Fields []string
}

// String renders the line as evidence: `policy.csv line 3: p, ...`.
func (p PolicyLine) String() string {
	return fmt.Sprintf("argocd-rbac-cm %s line %d: %s", p.Key, p.Line, p.Text)
}

// PolicyLines reads every policy CSV key of argocd-rbac-cm, in key order.
func PolicyLines(data map[string]string) []PolicyLine {
	var keys []string
	for k := range data {
		if k == KeyPolicyCSV || strings.HasPrefix(k, policyCSVPrefix) && strings.HasSuffix(k, policyCSVSuffix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []PolicyLine
	for _, k := range keys {
		for i, line := range strings.Split(data[k], "\n") {
			text := strings.TrimSpace(line)
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
			fields := strings.Split(text, ",")
			for j := range fields {
				fields[j] = strings.TrimSpace(fields[j])
			}
			out = append(out, PolicyLine{Key: k, Line: i + 1, Text: text, Fields: fields})
		}
	}
	return out
}

// permits tells whether a p line allows action on resource (a `*` matches
// anything).
func (p PolicyLine) permits(resource, action string) bool {
	if len(p.Fields) < policyFieldsPermitted-1 || p.Fields[0] != "p" {
		return false
	}
	effect := "allow"
	if len(p.Fields) >= policyFieldsPermitted {
		effect = p.Fields[5]
	}
	return effect == "allow" && (p.Fields[2] == resource || p.Fields[2] == "*") && (p.Fields[3] == action || p.Fields[3] == "*")
}

// isGroupTo tells whether the line is `g, <subject>, role`.
func (p PolicyLine) isGroupTo(role string) bool {
	return len(p.Fields) >= 3 && p.Fields[0] == "g" && p.Fields[2] == role
}

// ExecGrants are the RBAC lines that let someone open a terminal (exec,
// create): p lines allowing it, g lines granting role:admin (whose
// built-in policy allows it), and policy.default when it is role:admin.
func ExecGrants(rbac map[string]string) []string {
	var out []string
	if d := strings.TrimSpace(rbac[KeyPolicyDefault]); d == RoleAdmin {
		out = append(out, fmt.Sprintf("argocd-rbac-cm %s: %s (the built-in role:admin allows exec, create, */*)", KeyPolicyDefault, d))
	}
	for _, l := range PolicyLines(rbac) {
		if l.permits("exec", "create") || l.isGroupTo(RoleAdmin) {
			out = append(out, l.String())
		}
	}
	return out
}

// RoleGrants tells whether a role grants more than role:readonly (any
// action but get, on any resource), and the lines that show it.
func RoleGrants(rbac map[string]string, role string) (broader bool, evidence []string) {
	switch role {
	case "", RoleReadonly:
		return false, nil
	case RoleAdmin:
		return true, []string{"role:admin is built in: every action on every resource, exec included"}
	}
	lines := PolicyLines(rbac)
	seen := map[string]bool{}
	var visit func(r string)
	visit = func(r string) {
		if seen[r] {
			return
		}
		seen[r] = true
		if r == RoleAdmin {
			broader = true
			evidence = append(evidence, "role:admin is built in: every action on every resource, exec included")
			return
		}
		for _, l := range lines {
			switch {
			case len(l.Fields) >= 5 && l.Fields[0] == "p" && l.Fields[1] == r:
				effect := "allow"
				if len(l.Fields) >= 6 {
					effect = l.Fields[5]
				}
				if effect == "allow" && l.Fields[3] != "get" {
					broader = true
					evidence = append(evidence, l.String())
				}
			case len(l.Fields) >= 3 && l.Fields[0] == "g" && l.Fields[1] == r:
				visit(l.Fields[2])
			}
		}
	}
	visit(role)
	return broader, evidence
}

// SSOConfigured tells whether argocd-cm configures single sign-on: dex.config
// counts only together with url (Dex needs the external URL), oidc.config
// on its own.
func SSOConfigured(cm map[string]string) (bool, string) {
	if strings.TrimSpace(cm[KeyOIDCConfig]) != "" {
		return true, "oidc.config is set"
	}
	if strings.TrimSpace(cm[KeyDexConfig]) != "" {
		if strings.TrimSpace(cm[KeyURL]) != "" {
			return true, "dex.config is set, with url " + cm[KeyURL]
		}
		return false, "dex.config is set but url is not (Dex cannot redirect back without it)"
	}
	return false, "neither dex.config nor oidc.config is set"
}

// ClusterCredential is what a cluster Secret's config authenticates with;
// never the secret value itself.
type ClusterCredential struct {
	// Method: bearerToken, execProviderConfig, awsAuthConfig, tlsClientConfig or "".
	Method string
	// LegacyToken: the bearer token is a long-lived ServiceAccount token
	// Secret's (issuer kubernetes/serviceaccount, no expiry).
	LegacyToken bool
	// TokenSecret, ServiceAccount and Namespace name the token Secret and
	// its ServiceAccount, as the token's claims say.
	TokenSecret, ServiceAccount, Namespace string
	// NoExpiry: the token carries no exp claim.
	NoExpiry bool
}

// CredentialFromConfig reads the config key of a cluster Secret.
func CredentialFromConfig(config []byte) ClusterCredential {
	var c struct {
		BearerToken   string          `json:"bearerToken"`
		ExecProvider  json.RawMessage `json:"execProviderConfig"`
		AWSAuthConfig json.RawMessage `json:"awsAuthConfig"`
		TLS           struct {
			CertData string `json:"certData"`
		} `json:"tlsClientConfig"`
	}
	if json.Unmarshal(config, &c) != nil {
		return ClusterCredential{}
	}
	switch {
	case len(c.ExecProvider) > 0 && string(c.ExecProvider) != "null":
		return ClusterCredential{Method: "execProviderConfig"}
	case len(c.AWSAuthConfig) > 0 && string(c.AWSAuthConfig) != "null":
		return ClusterCredential{Method: "awsAuthConfig"}
	case c.BearerToken != "":
		return tokenCredential(c.BearerToken)
	case c.TLS.CertData != "":
		return ClusterCredential{Method: "tlsClientConfig"}
	}
	return ClusterCredential{}
}

// tokenCredential reads a bearer token's claims (without verifying them:
// only what kind of token it is matters here).
func tokenCredential(token string) ClusterCredential {
	cred := ClusterCredential{Method: "bearerToken"}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return cred
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return cred
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil {
		return cred
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	_, hasExp := claims["exp"]
	cred.NoExpiry = !hasExp
	cred.TokenSecret, cred.ServiceAccount, cred.Namespace = str(claimSecretName), str(claimServiceAccount), str(claimTokenNamespace)
	cred.LegacyToken = str("iss") == legacyTokenIssuer || cred.TokenSecret != ""
	return cred
}
