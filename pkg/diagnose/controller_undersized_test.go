package diagnose

import (
	"testing"
	"time"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestControllerUndersized(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*snapshot.Snapshot)
		want   []string
		fix    bool
	}{
		{"no apps", func(*snapshot.Snapshot) {}, nil, false},
		{"400 apps at the defaults", func(s *snapshot.Snapshot) { addApps(s, 400) }, nil, false},
		{"401 apps at the defaults", func(s *snapshot.Snapshot) { addApps(s, 401) },
			[]string{"controller-undersized StatefulSet/argocd-application-controller"}, true},
		{"401 apps at 50/25", func(s *snapshot.Snapshot) {
			addApps(s, 401)
			setData(s, argocd.CmdParamsConfigMap, testNow.Add(-3*time.Hour), argocd.ParamStatusProcessors, "50", argocd.ParamOperationProcessors, "25")
		}, nil, false},
		{"30 apps with 1/1 processors", func(s *snapshot.Snapshot) {
			addApps(s, 30)
			setData(s, argocd.CmdParamsConfigMap, testNow.Add(-3*time.Hour), argocd.ParamStatusProcessors, "1", argocd.ParamOperationProcessors, "1")
		}, []string{"controller-undersized StatefulSet/argocd-application-controller"}, true},
		{"800 apps over two replicas", func(s *snapshot.Snapshot) {
			addApps(s, 800)
			n := int32(2)
			controllerSTS(s).Spec.Replicas = &n
		}, nil, false},
		{"apps of other namespaces do not count", func(s *snapshot.Snapshot) {
			addApps(s, 401, func(a *argocd.Application) { a.Namespace = "elsewhere" })
		}, nil, false},
		{"2500 apps: more replicas, no processors fix", func(s *snapshot.Snapshot) { addApps(s, 2500) },
			[]string{"controller-undersized StatefulSet/argocd-application-controller"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runCheck(t, "controller-undersized", installSnapshot(tt.mutate))
			wantObjects(t, got, tt.want...)
			if len(got) == 1 && (len(got[0].Fixes) == 1) != tt.fix {
				t.Errorf("processors fix: got %d fixes, want %v", len(got[0].Fixes), tt.fix)
			}
			if tt.fix && len(got) == 1 && len(got[0].Fixes) == 1 {
				acts := got[0].Fixes[0].Actions
				if len(acts) != 2 || acts[0].Kind != "ConfigMap" || acts[1].Kind != "StatefulSet" {
					t.Errorf("processors fix should patch the ConfigMap then restart the controller: %+v", acts)
				}
			}
		})
	}
}
