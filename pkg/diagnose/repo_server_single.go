package diagnose

import (
	"fmt"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// manyApps is where one repo-server starts to be the bottleneck: below it
// a single replica is fine and saying otherwise is noise.
const manyApps = 10

// checkRepoServerSingle notes a single repo-server replica in an
// installation with many apps: every manifest generation goes through it,
// and the practice guide measured sync time falling with replicas (three
// replicas cut it to about a third).
func checkRepoServerSingle(s *snapshot.Snapshot) []report.Finding {
	c, ok := findComponent(s, argocd.ComponentRepoServer)
	if !ok || c.Replicas != 1 {
		return nil
	}
	apps := len(reconciledApps(s))
	if apps < manyApps {
		return nil
	}
	limit := s.Install.ConfigData(argocd.CmdParamsConfigMap)[argocd.ParamRepoParallelismLimit]
	limitLine := fmt.Sprintf("ConfigMap %s: %s not set (default 0: unlimited concurrent generations per replica)", argocd.CmdParamsConfigMap, argocd.ParamRepoParallelismLimit)
	if limit != "" {
		limitLine = settingEvidence(argocd.CmdParamsConfigMap, argocd.ParamRepoParallelismLimit, limit)
	}
	return []report.Finding{{ID: "repo-server-single", Object: c.Ref, Summary: fmt.Sprintf("%s runs one replica for %d Applications: every manifest generation queues on it; three replicas cut sync time to about a third", c.Name, apps),
		Evidence: []string{
			fmt.Sprintf("%s %s: spec.replicas 1", c.Ref.Kind, c.Ref.Name),
			fmt.Sprintf("%d Applications reconciled by this installation", apps),
			limitLine,
			fmt.Sprintf("scale it: kubectl -n %s scale deployment %s --replicas=3", c.Ref.Namespace, c.Ref.Name),
			ignoreHint("repo-server-single", c.Ref),
		}}}
}
