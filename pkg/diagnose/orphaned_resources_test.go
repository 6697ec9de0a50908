package diagnose

import (
	"testing"
	"time"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

func TestCheckOrphanedResources(t *testing.T) {
	runCheckCases(t, "orphaned-resources", []checkCase{
		{
			name: "condition fires with its count",
			snapshot: testSnapshot(testApp("shop", func(a *argocd.Application) {
				a.Status.Conditions = []argocd.ApplicationCondition{{Type: "OrphanedResourceWarning", Message: "Application has 3 orphaned resources", LastTransitionTime: timeAgo(time.Hour)}}
			})),
			want:      []string{"orphaned-resources shop"},
			wantText:  []string{"Application has 3 orphaned resources", "condition OrphanedResourceWarning since 2026-11-25T09:00:00Z"},
			wantFixes: []string{},
		},
		{
			name: "other warnings: silent",
			snapshot: testSnapshot(testApp("shop", func(a *argocd.Application) {
				a.Status.Conditions = []argocd.ApplicationCondition{{Type: "SharedResourceWarning", Message: "x"}}
			})),
			want: []string{},
		},
	})
}
