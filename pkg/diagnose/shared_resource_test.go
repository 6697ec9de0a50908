package diagnose

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckSharedResource(t *testing.T) {
	manages := func(rs ...argocd.ResourceStatus) func(*argocd.Application) {
		return func(a *argocd.Application) { a.Status.Resources = rs }
	}
	cm := resource("", "ConfigMap", "shared", "settings")
	a := testApp("a", manages(cm, resource("apps", "Deployment", "a", "web")))
	b := testApp("b", manages(cm), func(x *argocd.Application) { x.Namespace = "team-b" })
	remote := testApp("c", manages(cm), func(x *argocd.Application) { x.Spec.Destination.Server = "https://prod.example.com" })
	byName := testApp("d", manages(cm), func(x *argocd.Application) {
		x.Spec.Destination = argocd.Destination{Name: "in-cluster", Namespace: "shared"}
	})
	all := func(s *snapshot.Snapshot, apps ...argocd.Application) *snapshot.Snapshot {
		s.AllApplications = apps
		return s
	}
	runCheckCases(t, "shared-resource", []checkCase{
		{
			name: "two apps list the same ConfigMap: one finding per selected app",
			snapshot: withLiveObjects(all(testSnapshot(a, b), a, b), testObject("v1", "ConfigMap", "shared", "settings", func(u *unstructured.Unstructured) {
				u.SetAnnotations(map[string]string{argocd.TrackingIDAnnotation: "a:/ConfigMap:shared/settings"})
			})),
			want: []string{"shared-resource a", "shared-resource b"},
			wantText: []string{
				"ConfigMap shared/settings (also in Application team-b/b)",
				"ConfigMap shared/settings (also in Application argocd/a)",
				"ConfigMap shared/settings is in status.resources of Applications argocd/a and team-b/b; its argocd.argoproj.io/tracking-id is a:/ConfigMap:shared/settings",
			},
			wantFixes: []string{},
		},
		{
			name:     "only the selected app gets a finding",
			snapshot: all(testSnapshot(a), a, b),
			want:     []string{"shared-resource a"},
		},
		{
			name:     "same key on another cluster: silent",
			snapshot: all(testSnapshot(a), a, remote),
			want:     []string{},
		},
		{
			name:     "destination by name in-cluster is the same cluster",
			snapshot: all(testSnapshot(a), a, byName),
			want:     []string{"shared-resource a"},
		},
		{
			name:     "no overlap: silent",
			snapshot: all(testSnapshot(testApp("x", manages(resource("", "ConfigMap", "x", "c")))), a),
			want:     []string{},
		},
		{
			name: "SharedResourceWarning condition alone fires",
			snapshot: testSnapshot(testApp("x", func(x *argocd.Application) {
				x.Status.Conditions = []argocd.ApplicationCondition{{Type: "SharedResourceWarning", Message: "ConfigMap/settings is part of applications argocd/x and y", LastTransitionTime: timeAgo(0)}}
			})),
			want:     []string{"shared-resource x"},
			wantText: []string{"condition SharedResourceWarning since 2026-11-25T10:00:00Z: ConfigMap/settings is part of applications argocd/x and y"},
		},
	})
}
