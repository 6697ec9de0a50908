package health

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// replicaSetHealth reads a ReplicaSet as Argo CD does: until the controller
// has observed the latest spec it is Progressing; a ReplicaFailure
// condition (pods refused: quota, admission) is Degraded; fewer available
// replicas than asked for is Progressing.
func replicaSetHealth(rs *appsv1.ReplicaSet) Result {
	want := desiredReplicas(rs.Spec.Replicas)
	st := rs.Status
	var r Result
	if st.ReadyReplicas < want {
		r.Facts = []string{readyFact(st.ReadyReplicas, want)}
	}
	if rs.Generation > st.ObservedGeneration {
		r.Status, r.Message = Progressing, lagMessage(st.ObservedGeneration, rs.Generation)
		return r
	}
	for _, c := range st.Conditions {
		if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
			r.Status, r.Message = Degraded, fmt.Sprintf("condition ReplicaFailure %s: %s", c.Reason, c.Message)
			return r
		}
	}
	if st.AvailableReplicas < want {
		r.Status, r.Message = Progressing, fmt.Sprintf("status.availableReplicas %d of spec.replicas %d", st.AvailableReplicas, want)
		return r
	}
	r.Status, r.Message = Healthy, fmt.Sprintf("status.availableReplicas %d of spec.replicas %d", st.AvailableReplicas, want)
	return r
}
