package fixes

import (
	"context"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/argofix/kubectl-argofix/pkg/health"
	"github.com/argofix/kubectl-argofix/pkg/report"
)

// isRolloutRestart tells an action that restarts a workload's pods
// through the kubectl.kubernetes.io/restartedAt pod-template annotation.
func isRolloutRestart(a report.Action) bool {
	return a.Verb == report.VerbPatch && strings.Contains(string(a.Body), "restartedAt")
}

// waitRollout follows a restarted workload, as `kubectl rollout status`
// does, until Argo CD's health rule calls it Healthy (every replica
// updated and available) or the timeout passes. Restarts are waited for
// one workload at a time, so a bad restart stops the rest of the plan.
func (a *Applier) waitRollout(ctx context.Context, act report.Action) error {
	fmt.Fprintf(a.Out, "Waiting for the rollout of %s (up to %s)...\n", act.Ref(), a.WaitRollout)
	var last health.Result
	err := wait.PollUntilContextTimeout(ctx, time.Second, a.WaitRollout, true, func(ctx context.Context) (bool, error) {
		obj, err := get(ctx, a.Dynamic, act)
		if err != nil || obj == nil {
			return false, err
		}
		last, _ = health.Of(obj)
		return last.Status == health.Healthy, nil
	})
	if err != nil {
		return fmt.Errorf("the rollout of %s did not finish within %s (last state: %s %s)", act.Ref(), a.WaitRollout, last.Status, last.Message)
	}
	fmt.Fprintf(a.Out, "Rolled out: %s\n", act.Ref())
	return nil
}
