package diagnose

import (
	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkAuthDisabled reports argocd-server running without authentication
// (server.disable.auth): the API and UI act as admin for anyone who
// reaches them.
func checkAuthDisabled(s *snapshot.Snapshot) []report.Finding {
	params := s.Install.ConfigData(argocd.CmdParamsConfigMap)
	if !argocd.ParseBool(params[argocd.ParamServerDisableAuth]) {
		return nil
	}
	return []report.Finding{{ID: "auth-disabled", Object: configMapRef(s, argocd.CmdParamsConfigMap),
		Summary: "argocd-server authentication is disabled (server.disable.auth): anyone who reaches the API or UI acts as admin",
		Evidence: []string{
			settingEvidence(argocd.CmdParamsConfigMap, argocd.ParamServerDisableAuth, params[argocd.ParamServerDisableAuth]),
			"remove it or set it to \"false\", then restart argocd-server (it reads argocd-cmd-params-cm only at start)",
		}}}
}
