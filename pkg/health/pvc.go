package health

import (
	corev1 "k8s.io/api/core/v1"
)

// pvcHealth: a claim is Healthy when Bound, Progressing while Pending,
// Degraded when Lost (its volume is gone), Unknown otherwise.
func pvcHealth(pvc *corev1.PersistentVolumeClaim) Result {
	phase := "status.phase " + string(pvc.Status.Phase)
	switch pvc.Status.Phase {
	case corev1.ClaimBound:
		return Result{Status: Healthy, Message: phase}
	case corev1.ClaimPending:
		return Result{Status: Progressing, Message: phase, Facts: []string{phase}}
	case corev1.ClaimLost:
		return Result{Status: Degraded, Message: phase, Facts: []string{phase}}
	case "":
		phase = "status.phase is not set"
	}
	return Result{Status: Unknown, Message: phase, Facts: []string{phase}}
}
