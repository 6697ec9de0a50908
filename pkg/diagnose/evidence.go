package diagnose

import (
	"fmt"

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
