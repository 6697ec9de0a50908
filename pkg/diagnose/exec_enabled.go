package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkExecEnabled reports the web terminal turned on (exec.enabled in
// argocd-cm), with the RBAC lines that let someone use it: a shell in any
// pod of any app those subjects may reach.
func checkExecEnabled(s *snapshot.Snapshot) []report.Finding {
	cm := s.Install.ConfigData(argocd.ConfigMapName)
	if !argocd.ParseBool(cm[argocd.KeyExecEnabled]) {
		return nil
	}
	rbac := s.Install.ConfigData(argocd.RBACConfigMapName)
	obj := configMapRef(s, argocd.ConfigMapName)
	f := report.Finding{ID: "exec-enabled", Object: obj, Evidence: []string{settingEvidence(argocd.ConfigMapName, argocd.KeyExecEnabled, cm[argocd.KeyExecEnabled])}}
	grants := argocd.ExecGrants(rbac)
	if len(grants) == 0 {
		f.Summary = "the web terminal is enabled (exec.enabled), though no RBAC line grants exec yet: the next role that does opens a shell in the apps' pods"
	} else {
		f.Summary = fmt.Sprintf("the web terminal is enabled (exec.enabled) and %d RBAC lines grant it: a shell in any pod those subjects may reach", len(grants))
		f.Evidence = append(f.Evidence, grants...)
	}
	f.Evidence = append(f.Evidence, rbacScopeEvidence(rbac), "to turn it off: set exec.enabled to \"false\" in argocd-cm (read live, no restart)")
	return []report.Finding{f}
}

// rbacScopeEvidence names the OIDC claims RBAC groups are matched on.
func rbacScopeEvidence(rbac map[string]string) string {
	if v := strings.TrimSpace(rbac[argocd.KeyScopes]); v != "" {
		return settingEvidence(argocd.RBACConfigMapName, argocd.KeyScopes, v)
	}
	return fmt.Sprintf("ConfigMap %s: scopes not set (default [groups])", argocd.RBACConfigMapName)
}
