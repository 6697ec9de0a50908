package health

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// PodCauses says, one line per cause, why a pod does not serve: not
// scheduled (the scheduler's message), a container waiting (its reason,
// and the image for a pull error), restarting after a crash or an
// OOM kill (the last termination's reason and exit code), or failed. It
// returns nil for a Ready pod or a pod that completed.
func PodCauses(p *corev1.Pod) []string {
	if PodReady(p) || p.Status.Phase == corev1.PodSucceeded {
		return nil
	}
	var out []string
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			line := "not scheduled"
			if c.Reason != "" {
				line += " (" + c.Reason + ")"
			}
			if c.Message != "" {
				line += ": " + c.Message
			}
			out = append(out, line)
		}
	}
	images := map[string]string{}
	for _, c := range append(append([]corev1.Container(nil), p.Spec.InitContainers...), p.Spec.Containers...) {
		images[c.Name] = c.Image
	}
	for _, c := range append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		out = append(out, containerCauses(c, images[c.Name])...)
	}
	if p.Status.Phase == corev1.PodFailed {
		out = append(out, "status.phase Failed"+podFailure(p))
	}
	if len(out) == 0 && p.Status.Phase == corev1.PodRunning {
		out = append(out, "Running, condition Ready not True")
	}
	if len(out) == 0 {
		out = append(out, withPodMessage("status.phase "+string(p.Status.Phase), p))
	}
	return out
}

// containerCauses describes a container that waits or keeps restarting.
func containerCauses(c corev1.ContainerStatus, image string) []string {
	var out []string
	if w := c.State.Waiting; w != nil && w.Reason != "" && w.Reason != "ContainerCreating" && w.Reason != "PodInitializing" {
		line := fmt.Sprintf("container %s waiting: %s", c.Name, w.Reason)
		if strings.Contains(w.Reason, "Image") || w.Reason == "ErrImagePull" {
			line += " (image " + image + ")"
		}
		if w.Message != "" {
			line += ": " + w.Message
		}
		out = append(out, line)
	}
	if t := c.LastTerminationState.Terminated; t != nil && (c.State.Running == nil || !c.Ready) {
		out = append(out, fmt.Sprintf("container %s last terminated: %s, exit code %d, %d restarts", c.Name, orUnknown(t.Reason), t.ExitCode, c.RestartCount))
	}
	if t := c.State.Terminated; t != nil && t.ExitCode != 0 {
		out = append(out, fmt.Sprintf("container %s terminated: %s, exit code %d", c.Name, orUnknown(t.Reason), t.ExitCode))
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "reason not given"
	}
	return s
}
