package diagnose

import (
	"fmt"
	"strconv"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkControllerReplicasMismatch reports an application-controller
// StatefulSet whose replicas differ from its ARGOCD_CONTROLLER_REPLICAS:
// each replica computes its shard from that variable, so with the
// install.yaml's hard-coded "1" and three replicas, every replica works on
// every cluster (and they fight over the same apps); with fewer replicas
// than the variable says, some shards have no replica at all.
func checkControllerReplicasMismatch(s *snapshot.Snapshot) []report.Finding {
	c, ok := findComponent(s, argocd.ComponentController)
	if !ok || c.Ref.Kind != "StatefulSet" {
		return nil // the Deployment variant shards dynamically from its own replicas
	}
	ev, set := c.env(argocd.EnvControllerReplicas)
	if !set || ev.Var.ValueFrom != nil {
		if c.Replicas <= 1 {
			return nil
		}
	}
	declared := 0
	if set && ev.Var.ValueFrom == nil {
		n, err := strconv.Atoi(ev.Var.Value)
		if err != nil {
			n = 0
		}
		declared = n
		if n == int(c.Replicas) {
			return nil
		}
	}
	f := report.Finding{ID: "controller-replicas-mismatch", Object: c.Ref}
	f.Evidence = append(f.Evidence, fmt.Sprintf("StatefulSet %s: spec.replicas %d", c.Ref.Name, c.Replicas))
	switch {
	case set && ev.Var.ValueFrom == nil:
		f.Evidence = append(f.Evidence, fmt.Sprintf("container %s: env %s=%q", ev.Container, argocd.EnvControllerReplicas, ev.Var.Value))
		f.Summary = fmt.Sprintf("%s runs %d replicas but tells them %s=%s: ", c.Name, c.Replicas, argocd.EnvControllerReplicas, ev.Var.Value)
	case set:
		f.Evidence = append(f.Evidence, fmt.Sprintf("container %s: env %s comes from a reference, not a value", ev.Container, argocd.EnvControllerReplicas))
		f.Summary = fmt.Sprintf("%s runs %d replicas with %s set indirectly: ", c.Name, c.Replicas, argocd.EnvControllerReplicas)
	default:
		f.Evidence = append(f.Evidence, fmt.Sprintf("no container sets %s", argocd.EnvControllerReplicas))
		f.Summary = fmt.Sprintf("%s runs %d replicas without %s: ", c.Name, c.Replicas, argocd.EnvControllerReplicas)
	}
	if declared > int(c.Replicas) {
		f.Summary += "the shards above the replica count have no controller, and their apps are never reconciled"
	} else {
		f.Summary += "every replica takes every cluster, so the extra replicas shard nothing and reconcile the same apps"
	}
	if set && ev.Var.ValueFrom == nil {
		base := fmt.Sprintf("/spec/template/spec/containers/%d/env/%d", ev.ContainerIndex, ev.Index)
		f.Fixes = []report.Fix{report.NewFix("set-controller-replicas", "medium",
			fmt.Sprintf("set %s to %d in StatefulSet %s (its pods restart with the new value)", argocd.EnvControllerReplicas, c.Replicas, c.Ref.Name),
			report.JSONPatchAction(c.GVR, c.Ref, []map[string]any{
				{"op": "test", "path": "/metadata/uid", "value": c.UID},
				{"op": "test", "path": "/spec/replicas", "value": c.Replicas},
				{"op": "test", "path": base + "/name", "value": argocd.EnvControllerReplicas},
				{"op": "test", "path": base + "/value", "value": ev.Var.Value},
				{"op": "replace", "path": base + "/value", "value": strconv.Itoa(int(c.Replicas))},
			}))}
	}
	return []report.Finding{f}
}
