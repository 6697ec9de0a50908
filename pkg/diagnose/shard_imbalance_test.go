package diagnose

import (
	"testing"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestShardImbalance(t *testing.T) {
	cluster := func(shard string) func(*snapshot.Snapshot) {
		return func(s *snapshot.Snapshot) {
			s.Clusters = append(s.Clusters, argocd.Cluster{SecretNamespace: "argocd", SecretName: "prod", Server: "https://prod.example.com", Shard: shard})
		}
	}
	replicas := func(n int32) func(*snapshot.Snapshot) {
		return func(s *snapshot.Snapshot) { controllerSTS(s).Spec.Replicas = &n }
	}
	tests := []struct {
		name string
		mods []func(*snapshot.Snapshot)
		want []string
	}{
		{"no shard", []func(*snapshot.Snapshot){cluster("")}, nil},
		{"shard 0 of 1", []func(*snapshot.Snapshot){cluster("0")}, nil},
		{"shard 3 of 1", []func(*snapshot.Snapshot){cluster("3")}, []string{"shard-imbalance Secret/prod"}},
		{"shard not a number", []func(*snapshot.Snapshot){cluster("one")}, []string{"shard-imbalance Secret/prod"}},
		{"shard 1 of 2", []func(*snapshot.Snapshot){cluster("1"), replicas(2)}, nil},
		{"two replicas, every app on one cluster", []func(*snapshot.Snapshot){replicas(2), func(s *snapshot.Snapshot) { addApps(s, 20) }},
			[]string{"shard-imbalance StatefulSet/argocd-application-controller"}},
		{"two replicas, few apps", []func(*snapshot.Snapshot){replicas(2), func(s *snapshot.Snapshot) { addApps(s, 5) }}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantObjects(t, runCheck(t, "shard-imbalance", installSnapshot(tt.mods...)), tt.want...)
		})
	}
}
