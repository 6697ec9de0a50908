package diagnose

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
)

// conditionEvidence renders an Application condition as an evidence line.
func conditionEvidence(c argocd.ApplicationCondition) string {
	if c.LastTransitionTime == nil {
		return fmt.Sprintf("condition %s: %s", c.Type, c.Message)
	}
	return fmt.Sprintf("condition %s since %s: %s", c.Type, report.FormatTime(c.LastTransitionTime.Time), c.Message)
}

// plural counts things in English: "1 pod", "2 pods".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// addCondition quotes an Application condition as evidence; the first
// condition with a time dates the finding.
func addCondition(f *report.Finding, c argocd.ApplicationCondition) {
	f.Evidence = append(f.Evidence, conditionEvidence(c))
	if f.Since == nil && c.LastTransitionTime != nil {
		f.Since = timePtr(c.LastTransitionTime.Time)
	}
}

// resourceResultEvidence renders one status.operationState.syncResult
// resource: its sync status, hook and sync phase, and message.
func resourceResultEvidence(r argocd.ResourceResult) string {
	ref := report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
	parts := []string{}
	if r.Status != "" {
		parts = append(parts, "status "+r.Status)
	}
	if r.HookPhase != "" {
		parts = append(parts, "hookPhase "+r.HookPhase)
	}
	if r.SyncPhase != "" {
		parts = append(parts, "syncPhase "+r.SyncPhase)
	}
	line := fmt.Sprintf("syncResult %s: %s", ref, strings.Join(parts, ", "))
	if r.Message != "" {
		line += ": " + r.Message
	}
	return line
}

// ownerSuffix renders an object's owner references as the tail of an
// evidence line: ", owned by ReplicaSet/web-5d8f7c", or "" for none.
func ownerSuffix(obj *unstructured.Unstructured) string {
	var owners []string
	for _, o := range obj.GetOwnerReferences() {
		owners = append(owners, o.Kind+"/"+o.Name)
	}
	if len(owners) == 0 {
		return ""
	}
	return ", owned by " + strings.Join(owners, ", ")
}
