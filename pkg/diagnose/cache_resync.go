package diagnose

import (
	"fmt"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkCacheResync notes a large installation left on the default cluster
// cache resync: every ARGOCD_CLUSTER_CACHE_RESYNC_DURATION (12h by default)
// the controller drops and relists every watched resource of every
// cluster at once, which with hundreds of apps shows as a periodic spike
// of API load and slow reconciliations. The guide asks large installations
// to choose the period deliberately.
func checkCacheResync(s *snapshot.Snapshot) []report.Finding {
	c, ok := findComponent(s, argocd.ComponentController)
	if !ok {
		return nil
	}
	if _, set := c.env(argocd.EnvClusterCacheResync); set {
		return nil
	}
	apps := len(reconciledApps(s))
	if apps <= argocd.AppsPerReplicaDefault {
		return nil
	}
	return []report.Finding{{ID: "cache-resync", Object: c.Ref, Summary: fmt.Sprintf("%s reconciles %d Applications with the default cluster cache resync (every 12h it relists every watched resource of every cluster at once)",
		c.Name, apps),
		Evidence: []string{
			fmt.Sprintf("%s %s: no container sets %s (default 12h)", c.Ref.Kind, c.Ref.Name, argocd.EnvClusterCacheResync),
			fmt.Sprintf("%d Applications reconciled by this installation, more than the %d one replica is sized for", apps, argocd.AppsPerReplicaDefault),
			fmt.Sprintf("set it on the StatefulSet: kubectl -n %s set env statefulset/%s %s=24h (a restart applies it)", c.Ref.Namespace, c.Ref.Name, argocd.EnvClusterCacheResync),
			ignoreHint("cache-resync", c.Ref),
		}}}
}
