package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkAdminEnabled reports the local admin account left enabled. With SSO
// configured it is a shared super-user password beside the real logins
// (warning). Without SSO it is the only way in, which a fresh install.yaml
// starts with: an info that says what to do, not an error on every default
// installation.
func checkAdminEnabled(s *snapshot.Snapshot) []report.Finding {
	cm := s.Install.ConfigData(argocd.ConfigMapName)
	v, set := cm[argocd.KeyAdminEnabled]
	if set && strings.TrimSpace(v) != "" && !argocd.ParseBool(v) {
		return nil
	}
	obj := configMapRef(s, argocd.ConfigMapName)
	setting := fmt.Sprintf("ConfigMap %s: admin.enabled not set (default true)", argocd.ConfigMapName)
	if set {
		setting = settingEvidence(argocd.ConfigMapName, argocd.KeyAdminEnabled, v)
	}
	sso, how := argocd.SSOConfigured(cm)
	f := report.Finding{ID: "admin-enabled", Object: obj, Evidence: []string{setting, "ConfigMap " + argocd.ConfigMapName + ": " + how}}
	if sso {
		f.Severity = report.SeverityWarning
		f.Summary = "the local admin account is enabled beside SSO: a shared super-user password that bypasses the identity provider"
		f.Evidence = append(f.Evidence, "set admin.enabled to \"false\" once SSO logins work (read live, no restart)")
	} else {
		f.Severity = report.SeverityInfo
		f.Summary = "no SSO is configured: every person logs in as the shared local admin account"
		f.Evidence = append(f.Evidence, "configure dex.config (with url) or oidc.config, give people roles in argocd-rbac-cm, then set admin.enabled to \"false\"",
			ignoreHint("admin-enabled", obj))
	}
	return []report.Finding{f}
}
