package health

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// PodReady tells whether a pod is Ready and not being deleted: whether it
// serves, as kubectl's READY column and a Service's endpoints count it.
func PodReady(p *corev1.Pod) bool {
	return p.DeletionTimestamp == nil && readyCondition(p)
}

// readyCondition tells whether the pod's Ready condition is True.
func readyCondition(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podHealth reads a pod as Argo CD does. A pod that restarts forever
// (restartPolicy Always, the default) is Degraded as soon as a container
// waits on an error or a back-off, and Healthy once Ready. A pod that runs
// to completion (OnFailure, Never; typically a hook) is Progressing while it
// runs, so that a passing image-pull error does not fail the hook early.
func podHealth(p *corev1.Pod) Result {
	always := p.Spec.RestartPolicy == corev1.RestartPolicyAlways || p.Spec.RestartPolicy == ""
	if always {
		if waiting := waitingOnErrors(p); len(waiting) > 0 {
			return Result{Status: Degraded, Message: strings.Join(waiting, "; ")}
		}
	}
	phase := "status.phase " + string(p.Status.Phase)
	switch p.Status.Phase {
	case corev1.PodPending:
		return Result{Status: Progressing, Message: withPodMessage(phase, p)}
	case corev1.PodSucceeded:
		return Result{Status: Healthy, Message: phase}
	case corev1.PodFailed:
		return Result{Status: Degraded, Message: phase + podFailure(p)}
	case corev1.PodRunning:
		switch {
		case !always:
			return Result{Status: Progressing, Message: fmt.Sprintf("%s with restartPolicy %s: it runs to completion", phase, p.Spec.RestartPolicy)}
		case readyCondition(p):
			return Result{Status: Healthy, Message: phase + ", condition Ready True"}
		}
		for _, c := range p.Status.ContainerStatuses {
			if t := c.LastTerminationState.Terminated; t != nil {
				return Result{Status: Degraded, Message: fmt.Sprintf("%s, not Ready: container %s restarted after %s (exit code %d)", phase, c.Name, t.Reason, t.ExitCode)}
			}
		}
		return Result{Status: Progressing, Message: phase + ", condition Ready not True"}
	}
	return Result{Status: Unknown, Message: withPodMessage(phase, p)}
}

// waitingOnError tells a container's waiting reason that is an error or a
// back-off from the ordinary ContainerCreating and PodInitializing.
func waitingOnError(reason string) bool {
	return strings.HasPrefix(reason, "Err") || strings.HasSuffix(reason, "Error") || strings.HasSuffix(reason, "BackOff")
}

// waitingOnErrors lists the containers waiting on an error or a back-off
// (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerConfigError, ...).
func waitingOnErrors(p *corev1.Pod) []string {
	var out []string
	for _, c := range p.Status.ContainerStatuses {
		w := c.State.Waiting
		if w == nil || !waitingOnError(w.Reason) {
			continue
		}
		line := fmt.Sprintf("container %s waiting: %s", c.Name, w.Reason)
		if w.Message != "" {
			line += ": " + w.Message
		}
		out = append(out, line)
	}
	return out
}

// podFailure says why a Failed pod failed: the pod's own message, else the
// first container that says.
func podFailure(p *corev1.Pod) string {
	if p.Status.Message != "" {
		return ": " + p.Status.Message
	}
	for _, c := range append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		t := c.State.Terminated
		switch {
		case t == nil:
		case t.Message != "":
			return fmt.Sprintf(": container %s: %s", c.Name, t.Message)
		case t.Reason == "OOMKilled":
			return fmt.Sprintf(": container %s OOMKilled", c.Name)
		case t.ExitCode != 0:
			return fmt.Sprintf(": container %s failed with exit code %d", c.Name, t.ExitCode)
		}
	}
	return ""
}

func withPodMessage(line string, p *corev1.Pod) string {
	if p.Status.Message != "" {
		return line + ": " + p.Status.Message
	}
	return line
}
