package argocd

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestParseTrackingID(t *testing.T) {
	tests := []struct {
		in   string
		want TrackingID
		ok   bool
	}{
		{"guestbook:apps/Deployment:guestbook/web", TrackingID{"guestbook", "apps", "Deployment", "guestbook", "web"}, true},
		{"team-a_web:/ConfigMap:team-a/cfg", TrackingID{"team-a_web", "", "ConfigMap", "team-a", "cfg"}, true},
		{"root:rbac.authorization.k8s.io/ClusterRole:/admin", TrackingID{"root", "rbac.authorization.k8s.io", "ClusterRole", "", "admin"}, true},
		{"guestbook", TrackingID{}, false},
		{":apps/Deployment:ns/web", TrackingID{}, false},
		{"a:Deployment:ns/web", TrackingID{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseTrackingID(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseTrackingID(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAppInstanceName(t *testing.T) {
	inControl := Application{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "argocd"}}
	outside := Application{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "team-a"}}
	if got := inControl.InstanceName("argocd"); got != "web" {
		t.Errorf("control namespace app instance = %q", got)
	}
	if got := outside.InstanceName("argocd"); got != "team-a_web" {
		t.Errorf("other namespace app instance = %q", got)
	}
}

func TestProjectName(t *testing.T) {
	for project, want := range map[string]string{"": "default", "payments": "payments"} {
		app := Application{Spec: ApplicationSpec{Project: project}}
		if got := app.ProjectName(); got != want {
			t.Errorf("ProjectName() of spec.project %q = %q, want %q", project, got, want)
		}
	}
}
