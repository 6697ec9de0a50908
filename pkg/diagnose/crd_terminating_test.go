package diagnose

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckCRDTerminating(t *testing.T) {
	crd := func(name string, ago time.Duration) unstructured.Unstructured {
		return *testObject("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", name,
			objDeleting(ago, "customresourcecleanup.apiextensions.k8s.io"), func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedSlice(u.Object, []any{map[string]any{
					"type": "Terminating", "status": "True", "reason": "InstanceDeletionInProgress", "message": "CustomResource deletion is in progress",
				}}, "status", "conditions")
			})
	}
	app := testApp("guestbook", func(a *argocd.Application) {
		a.DeletionTimestamp = timeAgo(time.Hour)
		a.Finalizers = []string{argocd.ResourcesFinalizer}
	})
	project := testProject("payments")
	project.Finalizers = []string{argocd.ResourcesFinalizer}
	snap := func(crds ...unstructured.Unstructured) *snapshot.Snapshot {
		s := testSnapshot()
		s.AllApplications = []argocd.Application{app}
		s.Projects = append(s.Projects, project)
		s.ArgoCRDs = crds
		return s
	}
	runCheckCases(t, "crd-terminating", []checkCase{
		{
			name:     "applications CRD held by an app's finalizer",
			snapshot: snap(crd("applications.argoproj.io", time.Hour)),
			want:     []string{"crd-terminating applications.argoproj.io"},
			wantText: []string{
				"CustomResourceDefinition applications.argoproj.io has been Terminating for 1h: 1 instances remain, 1 held by finalizers (argocd/guestbook)",
				"condition Terminating=True (InstanceDeletionInProgress): CustomResource deletion is in progress",
				"Application argocd/guestbook: metadata.finalizers [resources-finalizer.argocd.argoproj.io], deletionTimestamp 2026-11-25T09:00:00Z",
				"Step 1 (Applications before AppProjects)",
				"kubectl -n argocd patch applications.argoproj.io guestbook --type json",
			},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name:     "appprojects CRD: projects second, apps named first",
			snapshot: snap(crd("appprojects.argoproj.io", time.Hour)),
			want:     []string{"crd-terminating appprojects.argoproj.io"},
			wantText: []string{
				"2 instances remain, 1 held by finalizers (argocd/payments); 1 Applications still exist: handle them first",
				"Step 2: only after no Application remains", "kubectl -n argocd patch appprojects.argoproj.io payments",
			},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name:     "applicationsets CRD: instances not read",
			snapshot: snap(crd("applicationsets.argoproj.io", time.Hour)),
			want:     []string{"crd-terminating applicationsets.argoproj.io"},
			wantText: []string{"its ApplicationSets could not be read"},
		},
		{
			name: "applicationsets CRD held by an ApplicationSet's finalizer: names it",
			snapshot: func() *snapshot.Snapshot {
				s := snap(crd("applicationsets.argoproj.io", time.Hour))
				s.ApplicationSets = []unstructured.Unstructured{
					*testObject("argoproj.io/v1alpha1", "ApplicationSet", "argocd", "teams", objDeleting(time.Hour, argocd.ResourcesFinalizer)),
					*testObject("argoproj.io/v1alpha1", "ApplicationSet", "argocd", "free"),
				}
				s.Read[snapshot.ApplicationSets] = true
				return s
			}(),
			want: []string{"crd-terminating applicationsets.argoproj.io"},
			wantText: []string{"2 instances remain, 1 held by finalizers (argocd/teams)",
				"ApplicationSet argocd/teams: metadata.finalizers [resources-finalizer.argocd.argoproj.io]",
				`kubectl -n argocd patch applicationsets.argoproj.io teams --type json`},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name:     "CRD being deleted for a minute: silent",
			snapshot: snap(crd("applications.argoproj.io", time.Minute)),
			want:     []string{},
		},
		{
			name:     "CRD not deleted: silent",
			snapshot: snap(*testObject("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "applications.argoproj.io")),
			want:     []string{},
		},
	})
}
