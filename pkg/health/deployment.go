package health

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
)

// deploymentHealth follows `kubectl rollout status`, as Argo CD does: a
// paused Deployment is Suspended; one past its progress deadline is
// Degraded; until the controller has observed the latest spec and every
// replica is updated, old ones gone and new ones available it is
// Progressing.
func deploymentHealth(d *appsv1.Deployment) Result {
	want := desiredReplicas(d.Spec.Replicas)
	r := Result{Facts: replicaFacts(want, d.Status.ReadyReplicas, d.Status.UpdatedReplicas)}
	r.Status, r.Message = deploymentStatus(d, want)
	return r
}

func deploymentStatus(d *appsv1.Deployment, want int32) (Status, string) {
	st := d.Status
	if d.Spec.Paused {
		return Suspended, "spec.paused is true"
	}
	if d.Generation > st.ObservedGeneration {
		return Progressing, lagMessage(st.ObservedGeneration, d.Generation)
	}
	for _, c := range st.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			return Degraded, fmt.Sprintf("condition Progressing %s: %s", c.Reason, c.Message)
		}
	}
	switch {
	case st.UpdatedReplicas < want:
		return Progressing, updatedFact(st.UpdatedReplicas, want)
	case st.Replicas > st.UpdatedReplicas:
		return Progressing, fmt.Sprintf("status.replicas %d > status.updatedReplicas %d: old replicas are pending termination", st.Replicas, st.UpdatedReplicas)
	case st.AvailableReplicas < st.UpdatedReplicas:
		return Progressing, fmt.Sprintf("status.availableReplicas %d of status.updatedReplicas %d", st.AvailableReplicas, st.UpdatedReplicas)
	}
	return Healthy, fmt.Sprintf("status.availableReplicas %d of spec.replicas %d", st.AvailableReplicas, want)
}
