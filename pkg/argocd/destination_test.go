package argocd

import (
	"strings"
	"testing"
)

func TestDestinationProblem(t *testing.T) {
	prod := Cluster{Server: "https://prod.example.com/", Name: "prod"}
	tests := []struct {
		name             string
		d                Destination
		inClusterEnabled bool
		want             string // "" resolves; else a fragment of the problem
	}{
		{"in-cluster by URL", Destination{Server: InClusterServer}, true, ""},
		{"in-cluster by name", Destination{Name: InClusterName}, true, ""},
		{"in-cluster disabled", Destination{Server: InClusterServer}, false, "disables"},
		{"registered URL, trailing slash ignored", Destination{Server: "https://prod.example.com"}, false, ""},
		{"registered name", Destination{Name: "prod"}, false, ""},
		{"unknown URL", Destination{Server: "https://gone.example.com"}, true, "no cluster Secret has server"},
		{"unknown name", Destination{Name: "gone"}, true, "no cluster Secret has name"},
		{"both set", Destination{Server: InClusterServer, Name: "prod"}, true, "both server and name"},
		{"neither set", Destination{}, true, "neither server nor name"},
	}
	for _, tt := range tests {
		got := DestinationProblem(tt.d, []Cluster{prod}, tt.inClusterEnabled)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("%s: DestinationProblem = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDestinationServerAndInCluster(t *testing.T) {
	clusters := []Cluster{{Server: "https://prod.example.com/", Name: "prod"}}
	for _, tt := range []struct {
		d      Destination
		server string
		ok     bool
		local  bool
	}{
		{Destination{Server: "https://kubernetes.default.svc/"}, InClusterServer, true, true},
		{Destination{Name: "prod"}, "https://prod.example.com", true, false},
		{Destination{Name: InClusterName}, InClusterServer, true, true},
		{Destination{Name: "gone"}, "", false, false},
	} {
		server, ok := DestinationServer(tt.d, clusters)
		if server != tt.server || ok != tt.ok || IsInCluster(tt.d) != tt.local {
			t.Errorf("%+v: server %q ok %v in-cluster %v; want %q %v %v", tt.d, server, ok, IsInCluster(tt.d), tt.server, tt.ok, tt.local)
		}
	}
}
