package diagnose

import (
	"testing"
	"time"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckProjectDeleting(t *testing.T) {
	inProject := func(p string) func(*argocd.Application) {
		return func(a *argocd.Application) { a.Spec.Project = p }
	}
	deletingProject := func() argocd.AppProject {
		p := testProject("payments")
		p.DeletionTimestamp = timeAgo(30 * time.Minute)
		p.Finalizers = []string{argocd.ResourcesFinalizer}
		return p
	}
	snap := func(apps ...argocd.Application) *snapshot.Snapshot {
		s := testSnapshot(apps[0])
		s.AllApplications = apps
		s.Projects = append(s.Projects, deletingProject())
		return s
	}
	runCheckCases(t, "project-deleting", []checkCase{
		{
			name: "project deleting with two apps referencing it",
			snapshot: snap(testApp("api", inProject("payments")), testApp("worker", inProject("payments"), func(a *argocd.Application) { a.Namespace = "team-pay" }),
				testApp("other")),
			want: []string{"project-deleting api"},
			wantText: []string{
				"AppProject payments is being deleted while 2 Applications still reference it",
				"AppProject argocd/payments: metadata.deletionTimestamp 2026-11-25T09:30:00Z, metadata.finalizers [resources-finalizer.argocd.argoproj.io]",
				"Applications with spec.project payments: argocd/api, team-pay/worker",
			},
			wantFixes: []string{},
		},
		{
			name:     "project not deleting: silent",
			snapshot: testSnapshot(testApp("api")),
			want:     []string{},
		},
		{
			name: "projects not readable: silent",
			snapshot: func() *snapshot.Snapshot {
				s := snap(testApp("api", inProject("payments")))
				s.Read[snapshot.Projects] = false
				return s
			}(),
			want: []string{},
		},
	})
}
