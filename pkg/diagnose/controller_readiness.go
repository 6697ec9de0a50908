package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/health"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// controllerReadiness counts the ready application-controller pods and
// renders them as an evidence line. read is false when the pods were not
// listed: nothing can then be said about the controller.
func controllerReadiness(s *snapshot.Snapshot) (ready int, evidence string, read bool) {
	if !s.Has(snapshot.Controller) {
		return 0, "", false
	}
	if len(s.ControllerPods) == 0 {
		return 0, fmt.Sprintf("no argocd-application-controller pod in namespace %s (label app.kubernetes.io/name=argocd-application-controller)", s.ArgoCDNamespace), true
	}
	var states []string
	for i := range s.ControllerPods {
		p := &s.ControllerPods[i]
		state := "not Ready"
		if health.PodReady(p) {
			ready++
			state = "Ready"
		} else if p.DeletionTimestamp != nil {
			state = "Terminating"
		}
		states = append(states, fmt.Sprintf("%s %s (phase %s)", p.Name, state, p.Status.Phase))
	}
	return ready, fmt.Sprintf("argocd-application-controller pods in %s: %s", s.ArgoCDNamespace, strings.Join(states, ", ")), true
}
