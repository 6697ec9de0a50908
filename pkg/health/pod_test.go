package health

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPodHealth(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "running and Ready",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-0}
spec: {restartPolicy: Always}
status: {phase: Running, conditions: [{type: Ready, status: "True"}]}`,
			status:  Healthy,
			message: "status.phase Running, condition Ready True",
		},
		{
			name: "running, not Ready yet",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-0}
status: {phase: Running, conditions: [{type: Ready, status: "False"}]}`,
			status:  Progressing,
			message: "status.phase Running, condition Ready not True",
		},
		{
			name: "running, not Ready, after a container restarted",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-0}
spec: {restartPolicy: Always}
status:
  phase: Running
  containerStatuses:
  - {name: web, lastState: {terminated: {reason: Error, exitCode: 1}}, state: {running: {}}}`,
			status:  Degraded,
			message: "status.phase Running, not Ready: container web restarted after Error (exit code 1)",
		},
		{
			name: "crash looping",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-0}
spec: {restartPolicy: Always}
status:
  phase: Running
  containerStatuses:
  - {name: web, state: {waiting: {reason: CrashLoopBackOff, message: back-off 5m0s restarting failed container}}}
  - {name: sidecar, state: {waiting: {reason: ImagePullBackOff}}}`,
			status:  Degraded,
			message: "container web waiting: CrashLoopBackOff: back-off 5m0s restarting failed container; container sidecar waiting: ImagePullBackOff",
		},
		{
			name: "a hook pod that cannot pull its image is still Progressing",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: migrate}
spec: {restartPolicy: Never}
status:
  phase: Pending
  containerStatuses:
  - {name: migrate, state: {waiting: {reason: ErrImagePull}}}`,
			status:  Progressing,
			message: "status.phase Pending",
		},
		{
			name: "a hook pod running to completion",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: migrate}
spec: {restartPolicy: OnFailure}
status: {phase: Running, conditions: [{type: Ready, status: "True"}]}`,
			status:  Progressing,
			message: "status.phase Running with restartPolicy OnFailure: it runs to completion",
		},
		{
			name: "pending, unschedulable",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-0}
status: {phase: Pending, message: "0/3 nodes are available"}`,
			status:  Progressing,
			message: "status.phase Pending: 0/3 nodes are available",
		},
		{
			name: "succeeded",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: migrate}
spec: {restartPolicy: Never}
status: {phase: Succeeded}`,
			status:  Healthy,
			message: "status.phase Succeeded",
		},
		{
			name: "failed with the pod's message",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-0}
status: {phase: Failed, message: "Pod was rejected: Node didn't have enough resource: memory"}`,
			status:  Degraded,
			message: "status.phase Failed: Pod was rejected: Node didn't have enough resource: memory",
		},
		{
			name: "failed, said by a container",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: migrate}
spec: {restartPolicy: Never}
status:
  phase: Failed
  initContainerStatuses: [{name: init, state: {terminated: {exitCode: 0}}}]
  containerStatuses: [{name: migrate, state: {terminated: {reason: OOMKilled, exitCode: 137}}}]`,
			status:  Degraded,
			message: "status.phase Failed: container migrate OOMKilled",
		},
		{
			name: "phase Unknown: the node stopped reporting",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-0}
status: {phase: Unknown}`,
			status:  Unknown,
			message: "status.phase Unknown",
		},
	})
}

func TestPodReady(t *testing.T) {
	deleted := metav1.NewTime(time.Date(2026, 11, 25, 9, 50, 0, 0, time.UTC))
	ready := []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}, {Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	for _, tt := range []struct {
		name string
		pod  corev1.Pod
		want bool
	}{
		{"Ready", corev1.Pod{Status: corev1.PodStatus{Conditions: ready}}, true},
		{"Ready=False", corev1.Pod{Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}}}}, false},
		{"no Ready condition", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending}}, false},
		{"Ready but terminating", corev1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &deleted}, Status: corev1.PodStatus{Conditions: ready}}, false},
	} {
		if got := PodReady(&tt.pod); got != tt.want {
			t.Errorf("%s: PodReady = %v, want %v", tt.name, got, tt.want)
		}
	}
}
