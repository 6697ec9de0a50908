package diagnose

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckProjectMissing(t *testing.T) {
	withProject := func(p string) func(*argocd.Application) {
		return func(a *argocd.Application) { a.Spec.Project = p }
	}
	tests := []struct {
		name         string
		snapshot     *snapshot.Snapshot
		want         []string
		wantEvidence []string
		wantFixes    []string
	}{
		{
			name:     "existing project is silent",
			snapshot: testSnapshot(testApp("guestbook")),
			want:     []string{},
		},
		{
			name:     "empty project means default",
			snapshot: testSnapshot(testApp("guestbook", withProject(""))),
			want:     []string{},
		},
		{
			name: "missing project fires with the condition and existing projects",
			snapshot: testSnapshot(testApp("guestbook", withProject("foo-project"), func(a *argocd.Application) {
				a.Status.Conditions = []argocd.ApplicationCondition{{
					Type: "InvalidSpecError", Message: "Application referencing project foo-project which does not exist",
					LastTransitionTime: timeAgo(time.Hour),
				}}
			})),
			want:         []string{"project-missing guestbook"},
			wantEvidence: []string{"condition InvalidSpecError since 2026-11-25T09:00:00Z", "AppProjects in namespace argocd: default"},
			wantFixes:    []string{"create-project"},
		},
		{
			name:         "typo suggests the close name",
			snapshot:     testSnapshot(testApp("guestbook", withProject("defualt"))),
			want:         []string{"project-missing guestbook"},
			wantEvidence: []string{"closest existing name: default"},
			wantFixes:    []string{"set-project", "create-project"},
		},
		{
			name: "deleting app with missing project says deletion is blocked",
			snapshot: testSnapshot(testApp("guestbook", withProject("gone"), func(a *argocd.Application) {
				a.DeletionTimestamp = timeAgo(10 * time.Minute)
				a.Finalizers = []string{argocd.ResourcesFinalizer}
			})),
			want:         []string{"project-missing guestbook"},
			wantEvidence: []string{"deletionTimestamp 2026-11-25T09:50:00Z, finalizers resources-finalizer.argocd.argoproj.io"},
			wantFixes:    []string{"create-project"},
		},
		{
			name: "projects not readable: silent",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("guestbook", withProject("foo")))
				s.Read[snapshot.Projects] = false
				return s
			}(),
			want: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runRegistered(t, "project-missing", tt.snapshot)
			if !reflect.DeepEqual(ids(got), tt.want) {
				t.Fatalf("findings = %v, want %v", ids(got), tt.want)
			}
			if len(got) == 0 {
				return
			}
			evidence := strings.Join(got[0].Evidence, "\n")
			for _, e := range tt.wantEvidence {
				if !strings.Contains(evidence, e) {
					t.Errorf("evidence lacks %q:\n%s", e, evidence)
				}
			}
			var fixes []string
			for _, f := range got[0].Fixes {
				fixes = append(fixes, f.ID)
			}
			if !reflect.DeepEqual(fixes, tt.wantFixes) {
				t.Errorf("fixes = %v, want %v", fixes, tt.wantFixes)
			}
		})
	}
}

func TestProjectManifestIsScopedToTheApp(t *testing.T) {
	app := testApp("guestbook", func(a *argocd.Application) {
		a.Namespace = "team-a"
		a.Spec.Project = "payments"
		a.Status.Resources = []argocd.ResourceStatus{
			{Kind: "ClusterRole", Group: "rbac.authorization.k8s.io", Name: "x"},
			{Kind: "Deployment", Group: "apps", Namespace: "guestbook", Name: "y"},
		}
	})
	s := testSnapshot(app)
	got := createProjectAction(s, &s.Applications[0], "payments").Manifest()
	for _, want := range []string{
		"name: payments", "namespace: argocd", "- https://git.example.com/apps.git",
		"server: https://kubernetes.default.svc", "kind: ClusterRole", "sourceNamespaces:\n  - team-a",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("manifest lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "kind: Deployment") {
		t.Errorf("manifest whitelists a namespaced kind:\n%s", got)
	}
}
