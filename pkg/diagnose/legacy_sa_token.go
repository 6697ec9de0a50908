package diagnose

import (
	"fmt"

	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkLegacySAToken reports cluster Secrets that authenticate with a
// long-lived ServiceAccount token (a kubernetes.io/service-account-token
// Secret, as `argocd cluster add` made them): it never expires, so a leak
// lasts until someone deletes that Secret. Only the token's claims are
// read, never printed.
func checkLegacySAToken(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for _, cl := range s.Clusters {
		cred := cl.Credential
		if cred.Method != "bearerToken" || !cred.LegacyToken && !cred.NoExpiry {
			continue
		}
		obj := report.ObjectRef{Kind: "Secret", Namespace: cl.SecretNamespace, Name: cl.SecretName}
		f := report.Finding{ID: "legacy-sa-token", Object: obj, Evidence: []string{fmt.Sprintf("Secret %s/%s: cluster %s, config.bearerToken set (value not shown)", cl.SecretNamespace, cl.SecretName, cl.Server)}}
		if cred.LegacyToken {
			who := "a ServiceAccount token Secret"
			if cred.TokenSecret != "" {
				who = fmt.Sprintf("Secret %s/%s (ServiceAccount %s)", cred.Namespace, cred.TokenSecret, cred.ServiceAccount)
			}
			f.Summary = fmt.Sprintf("cluster %s is reached with the never-expiring token of %s", cl.Server, who)
			f.Evidence = append(f.Evidence, "token claims: issuer kubernetes/serviceaccount (a kubernetes.io/service-account-token Secret), no expiry")
		} else {
			f.Summary = fmt.Sprintf("cluster %s is reached with a bearer token that never expires", cl.Server)
			f.Evidence = append(f.Evidence, "token claims: no exp")
		}
		f.Evidence = append(f.Evidence, "prefer short-lived credentials: execProviderConfig or awsAuthConfig (IRSA, workload identity), then delete the token Secret")
		findings = append(findings, f)
	}
	return findings
}
