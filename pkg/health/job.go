package health

import (
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// jobRunning is the message of a Job that has not finished.
const jobRunning = "running: no Complete or Failed condition"

// jobHealth reads a Job's conditions as Argo CD does: Failed is Degraded,
// Complete Healthy, Suspended Suspended, and without any of them (status
// True) the Job is still Progressing. A Job with no succeeded pod also
// carries its pod counts as a fact.
func jobHealth(job *batchv1.Job) Result {
	var r Result
	if job.Status.Succeeded == 0 {
		r.Facts = []string{fmt.Sprintf("status.active %d, status.failed %d, not complete", job.Status.Active, job.Status.Failed)}
	}
	r.Status, r.Message = Progressing, jobRunning
	for _, want := range []struct {
		condition batchv1.JobConditionType
		status    Status
	}{{batchv1.JobFailed, Degraded}, {batchv1.JobComplete, Healthy}, {batchv1.JobSuspended, Suspended}} {
		if c, ok := jobCondition(job, want.condition); ok {
			r.Status, r.Message = want.status, strings.TrimSpace(fmt.Sprintf("condition %s %s", c.Type, c.Message))
			break
		}
	}
	return r
}

// jobCondition finds a condition of the type that holds (status True).
func jobCondition(job *batchv1.Job, t batchv1.JobConditionType) (batchv1.JobCondition, bool) {
	for _, c := range job.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return c, true
		}
	}
	return batchv1.JobCondition{}, false
}
