package diagnose

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestArgoCDConfigStale(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*snapshot.Snapshot)
		want   []string
	}{
		{"settings older than the pods", func(*snapshot.Snapshot) {}, nil},
		{"repo-server key changed after start: only the repo-server", func(s *snapshot.Snapshot) {
			setData(s, argocd.CmdParamsConfigMap, testNow.Add(-time.Minute), argocd.ParamRepoParallelismLimit, "10")
		}, []string{"argocd-config-stale Deployment/argocd-repo-server"}},
		{"timeout.reconciliation changed: only the controller", func(s *snapshot.Snapshot) {
			setData(s, argocd.ConfigMapName, testNow.Add(-time.Minute), "timeout.reconciliation", "300s")
		}, []string{"argocd-config-stale StatefulSet/argocd-application-controller"}},
		{"a key nobody reads as env (argocd-cm exec.enabled is read live)", func(s *snapshot.Snapshot) {
			setData(s, argocd.ConfigMapName, testNow.Add(-time.Minute), "exec.enabled", "true")
		}, nil},
		{"changed in the same second the pod started", func(s *snapshot.Snapshot) {
			setData(s, argocd.CmdParamsConfigMap, testNow.Add(-time.Hour).Add(300*time.Millisecond), argocd.ParamRepoParallelismLimit, "10")
		}, nil},
		{"changed before the pods started", func(s *snapshot.Snapshot) {
			setData(s, argocd.CmdParamsConfigMap, testNow.Add(-90*time.Minute), argocd.ParamServerInsecure, "true")
		}, nil},
		{"two components read changed keys", func(s *snapshot.Snapshot) {
			setData(s, argocd.CmdParamsConfigMap, testNow.Add(-time.Minute), argocd.ParamServerInsecure, "true", argocd.ParamStatusProcessors, "50")
		}, []string{"argocd-config-stale StatefulSet/argocd-application-controller", "argocd-config-stale Deployment/argocd-server"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantObjects(t, runCheck(t, "argocd-config-stale", installSnapshot(tt.mutate)), tt.want...)
		})
	}
}

func TestArgoCDConfigStaleRestartFix(t *testing.T) {
	s := installSnapshot(func(s *snapshot.Snapshot) {
		setData(s, argocd.CmdParamsConfigMap, testNow.Add(-time.Minute), argocd.ParamRepoParallelismLimit, "10")
	})
	found := runCheck(t, "argocd-config-stale", s)
	if len(found) != 1 || len(found[0].Fixes) != 1 {
		t.Fatalf("want one finding with one fix, got %+v", found)
	}
	f := found[0]
	if !strings.Contains(strings.Join(f.Evidence, "\n"), "data.reposerver.parallelism.limit last changed 2026-11-25T09:59:00Z by kubectl-patch") {
		t.Errorf("evidence does not date the key: %v", f.Evidence)
	}
	a := f.Fixes[0].Actions[0]
	if f.Fixes[0].ID != "rollout-restart" || a.Kind != "Deployment" || a.Name != argocd.ComponentRepoServer || a.PatchType != "json" {
		t.Fatalf("fix %+v", f.Fixes[0])
	}
	var ops []map[string]any
	if err := json.Unmarshal(a.Body, &ops); err != nil {
		t.Fatal(err)
	}
	if ops[0]["op"] != "test" || ops[0]["value"] != "uid-argocd-repo-server" || ops[1]["path"] != "/metadata/generation" || ops[1]["value"] != float64(3) {
		t.Errorf("not bound to the workload as diagnosed: %s", a.Body)
	}
	if ops[2]["op"] != "add" || ops[2]["path"] != "/spec/template/metadata/annotations" {
		t.Errorf("restart op: %s", a.Body)
	}
}
