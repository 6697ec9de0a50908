package diagnose

import (
	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkServerInsecure notes argocd-server serving plain HTTP
// (server.insecure). That is right when an ingress or load balancer
// terminates TLS in front of it, and wrong otherwise: say which.
func checkServerInsecure(s *snapshot.Snapshot) []report.Finding {
	params := s.Install.ConfigData(argocd.CmdParamsConfigMap)
	if !argocd.ParseBool(params[argocd.ParamServerInsecure]) {
		return nil
	}
	obj := configMapRef(s, argocd.CmdParamsConfigMap)
	return []report.Finding{{ID: "server-insecure", Object: obj, Summary: "argocd-server serves plain HTTP (server.insecure): fine when an ingress or load balancer terminates TLS in front of it, not otherwise",
		Evidence: []string{
			settingEvidence(argocd.CmdParamsConfigMap, argocd.ParamServerInsecure, params[argocd.ParamServerInsecure]),
			"make sure TLS ends in front of argocd-server, and nothing reaches its Service directly",
			ignoreHint("server-insecure", obj),
		}}}
}
