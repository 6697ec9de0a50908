package diagnose

import (
	"fmt"
	"strconv"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkServerReplicasUnset reports an argocd-server scaled out without
// ARGOCD_API_SERVER_REPLICAS matching its replicas. The variable only
// divides the login rate limit among the replicas (argocd-facts), so the
// cost of a mismatch is that N replicas together allow N times the
// concurrent logins the limit meant: info, not an outage.
func checkServerReplicasUnset(s *snapshot.Snapshot) []report.Finding {
	c, ok := findComponent(s, argocd.ComponentServer)
	if !ok || c.Replicas <= 1 {
		return nil
	}
	ev, set := c.env(argocd.EnvAPIServerReplicas)
	if set && (ev.Var.ValueFrom != nil || ev.Var.Value == strconv.Itoa(int(c.Replicas))) {
		return nil
	}
	f := report.Finding{ID: "server-replicas-unset", Object: c.Ref}
	f.Evidence = append(f.Evidence, fmt.Sprintf("%s %s: spec.replicas %d", c.Ref.Kind, c.Ref.Name, c.Replicas))
	if set {
		f.Summary = fmt.Sprintf("argocd-server runs %d replicas but %s is %q: the login rate limit is divided by the wrong number", c.Replicas, argocd.EnvAPIServerReplicas, ev.Var.Value)
		f.Evidence = append(f.Evidence, fmt.Sprintf("container %s: env %s=%q", ev.Container, argocd.EnvAPIServerReplicas, ev.Var.Value))
	} else {
		f.Summary = fmt.Sprintf("argocd-server runs %d replicas without %s: each replica allows the whole login rate limit, %d times the intended total", c.Replicas, argocd.EnvAPIServerReplicas, c.Replicas)
		f.Evidence = append(f.Evidence, fmt.Sprintf("no container sets %s", argocd.EnvAPIServerReplicas))
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("set it with: kubectl -n %s set env %s/%s %s=%d (the pods restart)",
		c.Ref.Namespace, lowerKind(c.Ref.Kind), c.Ref.Name, argocd.EnvAPIServerReplicas, c.Replicas))
	return []report.Finding{f}
}

func lowerKind(kind string) string {
	if kind == "StatefulSet" {
		return "statefulset"
	}
	return "deployment"
}
