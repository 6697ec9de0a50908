package diagnose

import (
	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkOIDCInsecure reports argocd-server trusting any certificate of the
// identity provider (oidc.tls.insecure.skip.verify): whoever can sit
// between them can mint logins.
func checkOIDCInsecure(s *snapshot.Snapshot) []report.Finding {
	cm := s.Install.ConfigData(argocd.ConfigMapName)
	if !argocd.ParseBool(cm[argocd.KeyOIDCInsecure]) {
		return nil
	}
	return []report.Finding{{ID: "oidc-insecure", Object: configMapRef(s, argocd.ConfigMapName),
		Summary: "argocd-server does not verify the identity provider's TLS certificate (oidc.tls.insecure.skip.verify): a man in the middle can forge logins",
		Evidence: []string{
			settingEvidence(argocd.ConfigMapName, argocd.KeyOIDCInsecure, cm[argocd.KeyOIDCInsecure]),
			"give argocd-server the provider's CA (oidc.config rootCA) and set oidc.tls.insecure.skip.verify to \"false\"",
		}}}
}
