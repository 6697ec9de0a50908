package health

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
)

// daemonSetHealth follows `kubectl rollout status`, as Argo CD does: until
// the controller has observed the latest spec and every scheduled pod is
// updated and available, the DaemonSet is Progressing; with OnDelete
// updates it is Healthy once observed.
func daemonSetHealth(ds *appsv1.DaemonSet) Result {
	st := ds.Status
	var r Result
	if st.NumberAvailable < st.DesiredNumberScheduled {
		r.Facts = []string{availableFact(st.NumberAvailable, st.DesiredNumberScheduled)}
	}
	switch {
	case ds.Generation > st.ObservedGeneration:
		r.Status, r.Message = Progressing, lagMessage(st.ObservedGeneration, ds.Generation)
	case ds.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType:
		r.Status, r.Message = Healthy, fmt.Sprintf("updateStrategy OnDelete, status.updatedNumberScheduled %d of desiredNumberScheduled %d", st.UpdatedNumberScheduled, st.DesiredNumberScheduled)
	case st.UpdatedNumberScheduled < st.DesiredNumberScheduled:
		r.Status, r.Message = Progressing, fmt.Sprintf("status.updatedNumberScheduled %d of desiredNumberScheduled %d", st.UpdatedNumberScheduled, st.DesiredNumberScheduled)
	case st.NumberAvailable < st.DesiredNumberScheduled:
		r.Status, r.Message = Progressing, availableFact(st.NumberAvailable, st.DesiredNumberScheduled)
	default:
		r.Status, r.Message = Healthy, availableFact(st.NumberAvailable, st.DesiredNumberScheduled)
	}
	return r
}

func availableFact(available, desired int32) string {
	return fmt.Sprintf("status.numberAvailable %d of desiredNumberScheduled %d", available, desired)
}
