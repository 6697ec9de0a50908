package diagnose

import (
	"testing"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

func TestParseTrackingID(t *testing.T) {
	tests := []struct {
		in   string
		want trackingID
		ok   bool
	}{
		{"guestbook:apps/Deployment:guestbook/web", trackingID{"guestbook", "apps", "Deployment", "guestbook", "web"}, true},
		{"team-a_web:/ConfigMap:team-a/cfg", trackingID{"team-a_web", "", "ConfigMap", "team-a", "cfg"}, true},
		{"root:rbac.authorization.k8s.io/ClusterRole:/admin", trackingID{"root", "rbac.authorization.k8s.io", "ClusterRole", "", "admin"}, true},
		{"guestbook", trackingID{}, false},
		{":apps/Deployment:ns/web", trackingID{}, false},
		{"a:Deployment:ns/web", trackingID{}, false},
	}
	for _, tt := range tests {
		got, ok := parseTrackingID(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseTrackingID(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAppInstanceName(t *testing.T) {
	inControl := testApp("web")
	outside := testApp("web", func(a *argocd.Application) { a.Namespace = "team-a" })
	if got := appInstanceName(&inControl, "argocd"); got != "web" {
		t.Errorf("control namespace app instance = %q", got)
	}
	if got := appInstanceName(&outside, "argocd"); got != "team-a_web" {
		t.Errorf("other namespace app instance = %q", got)
	}
}
