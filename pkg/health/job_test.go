package health

import "testing"

func TestJobHealth(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "complete",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
status:
  succeeded: 1
  conditions:
  - {type: SuccessCriteriaMet, status: "True"}
  - {type: Complete, status: "True", message: Reached expected number of succeeded pods}`,
			status:  Healthy,
			message: "condition Complete Reached expected number of succeeded pods",
		},
		{
			name: "complete without a message",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
status:
  succeeded: 1
  conditions: [{type: Complete, status: "True"}]`,
			status:  Healthy,
			message: "condition Complete",
		},
		{
			name: "running",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
status: {active: 1}`,
			status:  Progressing,
			message: "running: no Complete or Failed condition",
			facts:   []string{"status.active 1, status.failed 0, not complete"},
		},
		{
			name: "not started",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}`,
			status:  Progressing,
			message: "running: no Complete or Failed condition",
			facts:   []string{"status.active 0, status.failed 0, not complete"},
		},
		{
			name: "failed",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
status:
  failed: 6
  conditions:
  - {type: FailureTarget, status: "True", reason: BackoffLimitExceeded}
  - {type: Failed, status: "True", reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}`,
			status:  Degraded,
			message: "condition Failed Job has reached the specified backoff limit",
			facts:   []string{"status.active 0, status.failed 6, not complete"},
		},
		{
			name: "suspended",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {suspend: true}
status:
  conditions: [{type: Suspended, status: "True", reason: JobSuspended, message: Job suspended}]`,
			status:  Suspended,
			message: "condition Suspended Job suspended",
			facts:   []string{"status.active 0, status.failed 0, not complete"},
		},
		{
			name: "resumed: a Suspended condition that no longer holds",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
status:
  active: 1
  conditions: [{type: Suspended, status: "False", reason: JobResumed, message: Job resumed}]`,
			status:  Progressing,
			message: "running: no Complete or Failed condition",
			facts:   []string{"status.active 1, status.failed 0, not complete"},
		},
		{
			name: "some pods succeeded, more to go",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {completions: 3}
status: {active: 1, succeeded: 1}`,
			status:  Progressing,
			message: "running: no Complete or Failed condition",
		},
	})
}
