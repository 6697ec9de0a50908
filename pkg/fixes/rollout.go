package fixes

import (
	"context"
	"encoding/json"
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

// templateChangedBefore names the step that, earlier in the run, applied a
// change to the pod template of the workload act would restart: its pods
// restart anyway (set-controller-replicas edits an env value), and the
// restart, bound to the generation it was diagnosed at, would conflict
// with that write. "" when act is no restart, or nothing changed it.
func templateChangedBefore(earlier []JournalEntry, act report.Action) string {
	if !isRolloutRestart(act) {
		return ""
	}
	for _, e := range earlier {
		if e.Status == Applied && e.Action.Ref() == act.Ref() && !isRolloutRestart(e.Action) && changesPodTemplate(e.Action) {
			return e.Step
		}
	}
	return ""
}

// changesPodTemplate tells a JSON patch that writes under
// /spec/template, which rolls a workload's pods.
func changesPodTemplate(a report.Action) bool {
	if a.Verb != report.VerbPatch || a.PatchType != report.PatchJSON {
		return false
	}
	var ops []struct {
		Op   string `json:"op"`
		Path string `json:"path"`
	}
	if err := json.Unmarshal(a.Body, &ops); err != nil {
		return false
	}
	for _, op := range ops {
		if op.Op != "test" && strings.HasPrefix(op.Path, "/spec/template/") {
			return true
		}
	}
	return false
}
