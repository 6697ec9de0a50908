package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkAnonymousEnabled reports anonymous access: anyone who reaches
// argocd-server gets policy.default's role without logging in.
func checkAnonymousEnabled(s *snapshot.Snapshot) []report.Finding {
	cm := s.Install.ConfigData(argocd.ConfigMapName)
	if !argocd.ParseBool(cm[argocd.KeyAnonymousEnabled]) {
		return nil
	}
	rbac := s.Install.ConfigData(argocd.RBACConfigMapName)
	def := strings.TrimSpace(rbac[argocd.KeyPolicyDefault])
	f := report.Finding{ID: "anonymous-enabled", Object: configMapRef(s, argocd.ConfigMapName),
		Evidence: []string{settingEvidence(argocd.ConfigMapName, argocd.KeyAnonymousEnabled, cm[argocd.KeyAnonymousEnabled])}}
	switch def {
	case "":
		f.Summary = "anonymous access is enabled: anyone who reaches argocd-server is let in without a login (policy.default is empty, so with no role yet)"
		f.Evidence = append(f.Evidence, fmt.Sprintf("ConfigMap %s: policy.default not set", argocd.RBACConfigMapName))
	default:
		f.Summary = fmt.Sprintf("anonymous access is enabled: anyone who reaches argocd-server acts as %s without a login", def)
		f.Evidence = append(f.Evidence, settingEvidence(argocd.RBACConfigMapName, argocd.KeyPolicyDefault, def))
		if broad, lines := argocd.RoleGrants(rbac, def); broad {
			f.Summary += ", which may change things"
			f.Evidence = append(f.Evidence, lines...)
		}
	}
	f.Evidence = append(f.Evidence, "set users.anonymous.enabled to \"false\" in argocd-cm (read live, no restart)")
	return []report.Finding{f}
}
