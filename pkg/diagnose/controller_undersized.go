package diagnose

import (
	"fmt"
	"strconv"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkControllerUndersized compares the Applications each controller
// replica reconciles with the practice guide's sizing: about 400 per
// replica with the default processors (status 20, operation 10), 1,000
// with status 50 / operation 25; fewer processors than the defaults carry
// proportionally fewer. Above that, refreshes and syncs queue up.
func checkControllerUndersized(s *snapshot.Snapshot) []report.Finding {
	c, ok := findComponent(s, argocd.ComponentController)
	if !ok {
		return nil
	}
	apps := len(reconciledApps(s))
	replicas := max(int(c.Replicas), 1)
	perReplica := (apps + replicas - 1) / replicas
	status, statusSet := param(s, argocd.ParamStatusProcessors, argocd.DefaultStatusProcessors)
	operation, opSet := param(s, argocd.ParamOperationProcessors, argocd.DefaultOperationProcessors)
	capacity := replicaCapacity(status, operation)
	if perReplica <= capacity {
		return nil
	}
	f := report.Finding{ID: "controller-undersized", Object: c.Ref}
	f.Summary = fmt.Sprintf("%s reconciles about %d Applications per replica, more than the %d its processors (status %d, operation %d) are sized for",
		c.Name, perReplica, capacity, status, operation)
	f.Evidence = append(f.Evidence,
		fmt.Sprintf("%d Applications reconciled by this installation (namespace %s and application.namespaces)", apps, s.ArgoCDNamespace),
		fmt.Sprintf("%s %s: spec.replicas %d", c.Ref.Kind, c.Ref.Name, c.Replicas),
		processorEvidence(argocd.ParamStatusProcessors, status, statusSet),
		processorEvidence(argocd.ParamOperationProcessors, operation, opSet),
		fmt.Sprintf("the practice guide: about %d Applications per replica at status %d / operation %d processors, %d at %d / %d",
			argocd.AppsPerReplicaDefault, argocd.DefaultStatusProcessors, argocd.DefaultOperationProcessors,
			argocd.AppsPerReplicaLarge, argocd.LargeStatusProcessors, argocd.LargeOperationProcessors))
	if perReplica <= argocd.AppsPerReplicaLarge && (status < argocd.LargeStatusProcessors || operation < argocd.LargeOperationProcessors) {
		if fix, ok := processorsFix(s, c); ok {
			f.Fixes = append(f.Fixes, fix)
		}
	} else {
		need := (apps + argocd.AppsPerReplicaLarge - 1) / argocd.AppsPerReplicaLarge
		f.Evidence = append(f.Evidence, fmt.Sprintf("at %d / %d processors, %d Applications need %d replicas: scale the StatefulSet and set %s to match (set-controller-replicas)",
			argocd.LargeStatusProcessors, argocd.LargeOperationProcessors, apps, need, argocd.EnvControllerReplicas))
	}
	return []report.Finding{f}
}

// replicaCapacity is how many Applications one controller replica carries
// with these processor counts, from the practice guide's two points.
func replicaCapacity(status, operation int) int {
	switch {
	case status >= argocd.LargeStatusProcessors && operation >= argocd.LargeOperationProcessors:
		return argocd.AppsPerReplicaLarge
	case status >= argocd.DefaultStatusProcessors && operation >= argocd.DefaultOperationProcessors:
		return argocd.AppsPerReplicaDefault
	}
	ratio := min(float64(max(status, 1))/argocd.DefaultStatusProcessors, float64(max(operation, 1))/argocd.DefaultOperationProcessors)
	return max(int(ratio*argocd.AppsPerReplicaDefault), 1)
}

func processorEvidence(key string, value int, set bool) string {
	if set {
		return fmt.Sprintf("ConfigMap %s: %s: %q", argocd.CmdParamsConfigMap, key, strconv.Itoa(value))
	}
	return fmt.Sprintf("ConfigMap %s: %s not set (default %d)", argocd.CmdParamsConfigMap, key, value)
}

// processorsFix sets the guide's large processor counts in
// argocd-cmd-params-cm, bound to the ConfigMap as read, then restarts the
// controller, which reads them only at start.
func processorsFix(s *snapshot.Snapshot, c component) (report.Fix, bool) {
	cm := s.Install.ConfigMaps[argocd.CmdParamsConfigMap]
	if cm == nil {
		return report.Fix{}, false
	}
	ref := configMapRef(s, argocd.CmdParamsConfigMap)
	ops := []map[string]any{{"op": "test", "path": "/metadata/resourceVersion", "value": cm.ResourceVersion}}
	values := map[string]string{
		argocd.ParamStatusProcessors:    strconv.Itoa(argocd.LargeStatusProcessors),
		argocd.ParamOperationProcessors: strconv.Itoa(argocd.LargeOperationProcessors),
	}
	if cm.Data == nil {
		ops = append(ops, map[string]any{"op": "add", "path": "/data", "value": values})
	} else {
		for _, k := range []string{argocd.ParamStatusProcessors, argocd.ParamOperationProcessors} {
			ops = append(ops, map[string]any{"op": "add", "path": "/data/" + k, "value": values[k]})
		}
	}
	return report.NewFix("processors", "medium",
		fmt.Sprintf("set %s to %d and %s to %d in %s, then restart %s %s, which reads them only at start",
			argocd.ParamStatusProcessors, argocd.LargeStatusProcessors, argocd.ParamOperationProcessors, argocd.LargeOperationProcessors,
			argocd.CmdParamsConfigMap, c.Ref.Kind, c.Ref.Name),
		report.JSONPatchAction(configMapsResource, ref, ops), c.restartAction(s.Now)), true
}
