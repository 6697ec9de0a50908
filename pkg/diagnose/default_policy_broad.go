package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkDefaultPolicyBroad reports a policy.default that grants more than
// role:readonly: every authenticated user (and, with anonymous access,
// everyone) gets it, whatever their group.
func checkDefaultPolicyBroad(s *snapshot.Snapshot) []report.Finding {
	rbac := s.Install.ConfigData(argocd.RBACConfigMapName)
	def := strings.TrimSpace(rbac[argocd.KeyPolicyDefault])
	broad, lines := argocd.RoleGrants(rbac, def)
	if !broad {
		return nil
	}
	f := report.Finding{ID: "default-policy-broad", Object: configMapRef(s, argocd.RBACConfigMapName),
		Summary:  fmt.Sprintf("policy.default is %s: every user who logs in gets more than read-only access, whatever their groups", def),
		Evidence: []string{settingEvidence(argocd.RBACConfigMapName, argocd.KeyPolicyDefault, def)},
	}
	f.Evidence = append(f.Evidence, lines...)
	f.Evidence = append(f.Evidence, rbacScopeEvidence(rbac), "set policy.default to role:readonly (or empty) and grant more through g lines in policy.csv")
	return []report.Finding{f}
}
