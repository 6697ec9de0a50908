package diagnose

import (
	"reflect"
	"strings"
	"testing"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckDestinationMissing(t *testing.T) {
	dest := func(server, name string) func(*argocd.Application) {
		return func(a *argocd.Application) {
			a.Spec.Destination = argocd.Destination{Server: server, Name: name, Namespace: "x"}
		}
	}
	prodEast := argocd.Cluster{SecretName: "cluster-prod-east", Server: "https://prod-east.example.com:6443", Name: "prod-east"}
	tests := []struct {
		name        string
		apps        []argocd.Application
		clusters    []argocd.Cluster
		inCluster   bool
		read        bool
		want        []string
		wantSummary string
	}{
		{"in-cluster URL is known", []argocd.Application{testApp("a")}, nil, true, true, []string{}, ""},
		{"in-cluster by name is known", []argocd.Application{testApp("a", dest("", "in-cluster"))}, nil, true, true, []string{}, ""},
		{"registered by server, trailing slash", []argocd.Application{testApp("a", dest(prodEast.Server+"/", ""))}, []argocd.Cluster{prodEast}, true, true, []string{}, ""},
		{"registered by name", []argocd.Application{testApp("a", dest("", "prod-east"))}, []argocd.Cluster{prodEast}, true, true, []string{}, ""},
		{"unknown server", []argocd.Application{testApp("a", dest("https://10.99.0.1:6443", ""))}, []argocd.Cluster{prodEast}, true, true,
			[]string{"destination-missing a"}, "no cluster Secret has server https://10.99.0.1:6443"},
		{"unknown name", []argocd.Application{testApp("a", dest("", "prod-west"))}, []argocd.Cluster{prodEast}, true, true,
			[]string{"destination-missing a"}, "no cluster Secret has name prod-west"},
		{"in-cluster disabled", []argocd.Application{testApp("a")}, nil, false, true,
			[]string{"destination-missing a"}, "argocd-cm disables"},
		{"in-cluster disabled but a Secret registers it", []argocd.Application{testApp("a")},
			[]argocd.Cluster{{Server: argocd.InClusterServer, Name: "in-cluster"}}, false, true, []string{}, ""},
		{"both server and name", []argocd.Application{testApp("a", dest(prodEast.Server, "prod-east"))}, []argocd.Cluster{prodEast}, true, true,
			[]string{"destination-missing a"}, "both server and name"},
		{"secrets not readable: silent", []argocd.Application{testApp("a", dest("https://10.99.0.1:6443", ""))}, nil, true, false, []string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSnapshot(tt.apps...)
			s.Clusters, s.Read[snapshot.Clusters] = tt.clusters, tt.read
			s.Settings.InClusterEnabled = tt.inCluster
			got := runRegistered(t, "destination-missing", s)
			if !reflect.DeepEqual(ids(got), tt.want) {
				t.Fatalf("findings = %v, want %v", ids(got), tt.want)
			}
			if len(got) > 0 && !strings.Contains(got[0].Summary, tt.wantSummary) {
				t.Errorf("summary %q lacks %q", got[0].Summary, tt.wantSummary)
			}
		})
	}
}

func TestDestinationEvidenceQuotesArgoCDMessages(t *testing.T) {
	for _, msg := range []string{
		"cluster 'https://10.99.0.1:6443' has not been configured",
		`error getting cluster by server "https://x": cluster "https://x" not found`,
		"there are no clusters with this name: prod-west",
		`cluster "https://kubernetes.default.svc" is disabled`,
	} {
		if !isDestinationMessage(msg) {
			t.Errorf("not recognised: %q", msg)
		}
	}
	if isDestinationMessage("Application referencing project foo which does not exist") {
		t.Error("a project message was taken for a destination message")
	}
}
