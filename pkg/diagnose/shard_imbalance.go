package diagnose

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// minAppsForImbalance: below this many apps, how they spread over the
// replicas does not matter.
const minAppsForImbalance = 10

// checkShardImbalance reports cluster Secrets pinned to a shard the
// controller does not have (Argo CD ignores a `shard` at or above the
// replica count and places the cluster by its algorithm instead, so the
// pin silently does nothing), and, with several replicas, one cluster
// holding most apps: the controller shards by cluster, so one replica
// carries them all while the others idle.
func checkShardImbalance(s *snapshot.Snapshot) []report.Finding {
	c, ok := findComponent(s, argocd.ComponentController)
	if !ok {
		return nil
	}
	replicas := max(int(c.Replicas), 1)
	algorithm := s.Install.ConfigData(argocd.CmdParamsConfigMap)[argocd.ParamShardingAlgorithm]
	algoLine := fmt.Sprintf("ConfigMap %s: %s not set (default legacy)", argocd.CmdParamsConfigMap, argocd.ParamShardingAlgorithm)
	if algorithm != "" {
		algoLine = settingEvidence(argocd.CmdParamsConfigMap, argocd.ParamShardingAlgorithm, algorithm)
	}
	var findings []report.Finding
	for _, cl := range s.Clusters {
		if strings.TrimSpace(cl.Shard) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(cl.Shard))
		if err == nil && n >= 0 && n < replicas {
			continue
		}
		obj := report.ObjectRef{Kind: "Secret", Namespace: cl.SecretNamespace, Name: cl.SecretName}
		findings = append(findings, report.Finding{ID: "shard-imbalance", Object: obj,
			Summary: fmt.Sprintf("cluster Secret %s pins cluster %s to shard %q, but the controller has shards 0 to %d: the pin is ignored",
				cl.SecretName, cl.Server, cl.Shard, replicas-1),
			Evidence: []string{
				fmt.Sprintf("Secret %s/%s: data.shard %q, data.server %s", cl.SecretNamespace, cl.SecretName, cl.Shard, cl.Server),
				fmt.Sprintf("%s %s: spec.replicas %d", c.Ref.Kind, c.Ref.Name, c.Replicas),
				algoLine,
			}})
	}
	if replicas < 2 {
		return findings
	}
	apps := reconciledApps(s)
	if len(apps) < minAppsForImbalance {
		return findings
	}
	perCluster := map[string]int{}
	top := ""
	for _, a := range apps {
		key := a.Spec.Destination.Server
		if key == "" {
			key = "name " + a.Spec.Destination.Name
		}
		perCluster[key]++
		if perCluster[key] > perCluster[top] {
			top = key
		}
	}
	if 2*perCluster[top] <= len(apps) {
		return findings
	}
	findings = append(findings, report.Finding{ID: "shard-imbalance", Object: c.Ref,
		Summary: fmt.Sprintf("%d of %d Applications deploy to cluster %s: the controller shards by cluster, so one of its %d replicas carries them all",
			perCluster[top], len(apps), top, replicas),
		Evidence: []string{
			fmt.Sprintf("%s %s: spec.replicas %d", c.Ref.Kind, c.Ref.Name, c.Replicas),
			algoLine,
			fmt.Sprintf("%d clusters are destinations of this installation's apps", len(perCluster)),
			ignoreHint("shard-imbalance", c.Ref),
		}})
	return findings
}
