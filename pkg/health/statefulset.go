package health

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
)

// statefulSetHealth follows `kubectl rollout status`, as Argo CD does: until
// the controller has observed the latest spec, every replica is ready and
// the rolling update is done (up to the partition, if any), the
// StatefulSet is Progressing. With OnDelete updates it is Healthy once its
// replicas are ready: pods change only when deleted.
func statefulSetHealth(sts *appsv1.StatefulSet) Result {
	want := desiredReplicas(sts.Spec.Replicas)
	r := Result{Facts: replicaFacts(want, sts.Status.ReadyReplicas, sts.Status.UpdatedReplicas)}
	r.Status, r.Message = statefulSetStatus(sts, want)
	return r
}

func statefulSetStatus(sts *appsv1.StatefulSet, want int32) (Status, string) {
	st, strategy := sts.Status, sts.Spec.UpdateStrategy
	switch {
	case st.ObservedGeneration == 0:
		return Progressing, "status.observedGeneration not set: the controller has not observed the StatefulSet yet"
	case sts.Generation > st.ObservedGeneration:
		return Progressing, lagMessage(st.ObservedGeneration, sts.Generation)
	case st.ReadyReplicas < want:
		return Progressing, readyFact(st.ReadyReplicas, want)
	}
	if strategy.Type == appsv1.RollingUpdateStatefulSetStrategyType && strategy.RollingUpdate != nil {
		if p := strategy.RollingUpdate.Partition; p != nil && st.UpdatedReplicas < want-*p {
			return Progressing, fmt.Sprintf("status.updatedReplicas %d of %d (spec.replicas %d above partition %d)", st.UpdatedReplicas, want-*p, want, *p)
		}
		return Healthy, fmt.Sprintf("status.updatedReplicas %d, status.readyReplicas %d of spec.replicas %d", st.UpdatedReplicas, st.ReadyReplicas, want)
	}
	if strategy.Type == appsv1.OnDeleteStatefulSetStrategyType {
		return Healthy, fmt.Sprintf("updateStrategy OnDelete, status.readyReplicas %d of spec.replicas %d", st.ReadyReplicas, want)
	}
	if st.UpdateRevision != st.CurrentRevision {
		return Progressing, fmt.Sprintf("status.updateRevision %s differs from status.currentRevision %s: status.updatedReplicas %d of spec.replicas %d", st.UpdateRevision, st.CurrentRevision, st.UpdatedReplicas, want)
	}
	return Healthy, fmt.Sprintf("status.currentRevision %s, status.readyReplicas %d of spec.replicas %d", st.CurrentRevision, st.ReadyReplicas, want)
}
