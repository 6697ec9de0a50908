package diagnose

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkComponentUnavailable reports Argo CD's core components with no ready
// replica: no application-controller means nothing reconciles or deletes,
// no repo-server no manifests, no redis no cache, no server no UI/API/CLI,
// no applicationset-controller no generated apps. Scaled to zero counts
// too, except for argocd-server and the applicationset-controller, which
// some installations leave out on purpose.
func checkComponentUnavailable(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for _, c := range components(s) {
		// Scaled to zero counts at once, before the last pod has gone.
		if !slices.Contains(argocd.CoreComponents, c.Name) || c.Ready > 0 && c.Replicas > 0 {
			continue
		}
		optional := c.Name == argocd.ComponentServer || c.Name == argocd.ComponentApplicationSet
		if c.Replicas == 0 && optional {
			continue
		}
		f := report.Finding{ID: "component-unavailable", Object: c.Ref}
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s %s: spec.replicas %d, status.readyReplicas %d", c.Ref.Kind, c.Ref.Name, c.Replicas, c.Ready))
		if c.Replicas == 0 {
			f.Summary = fmt.Sprintf("%s is scaled to zero: %s", c.Name, componentRole(c.Name))
			f.Evidence = append(f.Evidence, fmt.Sprintf("scale it back: kubectl -n %s scale %s %s --replicas=1", c.Ref.Namespace, strings.ToLower(c.Ref.Kind), c.Ref.Name))
		} else {
			f.Summary = fmt.Sprintf("%s has no ready replica (0 of %d): %s", c.Name, c.Replicas, componentRole(c.Name))
			if len(c.Pods) == 0 {
				f.Evidence = append(f.Evidence, "no pod of it exists: kubectl -n "+c.Ref.Namespace+" describe "+strings.ToLower(c.Ref.Kind)+" "+c.Ref.Name)
			}
			for i := range c.Pods {
				f.Evidence = append(f.Evidence, podStateEvidence(&c.Pods[i]))
			}
		}
		findings = append(findings, f)
	}
	return findings
}

// componentRole says what stops working without a component.
func componentRole(name string) string {
	switch name {
	case argocd.ComponentController:
		return "no Application is reconciled, synced or deleted"
	case argocd.ComponentRepoServer:
		return "no manifests are generated: every app's comparison fails"
	case argocd.ComponentRedis:
		return "the controller, server and repo-server lose their cache"
	case argocd.ComponentServer:
		return "the UI, API and argocd CLI are down"
	case argocd.ComponentApplicationSet:
		return "ApplicationSets generate no Applications"
	}
	return "it does not run"
}

// podStateEvidence is a pod's phase, readiness and container waits.
func podStateEvidence(p *corev1.Pod) string {
	line := fmt.Sprintf("pod %s: phase %s", p.Name, p.Status.Phase)
	if p.Spec.NodeName == "" {
		line += ", not scheduled"
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status != corev1.ConditionTrue && c.Message != "" {
			line += ": " + c.Message
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		switch {
		case cs.State.Waiting != nil:
			line += fmt.Sprintf(", container %s waiting: %s %s", cs.Name, cs.State.Waiting.Reason, cs.State.Waiting.Message)
		case !cs.Ready:
			line += fmt.Sprintf(", container %s not ready (restarts %d)", cs.Name, cs.RestartCount)
		}
	}
	return strings.TrimSpace(line)
}
