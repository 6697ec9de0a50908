package snapshot

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

func TestViews(t *testing.T) {
	app := func(ns, name string) argocd.Application {
		return argocd.Application{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	project := func(ns, name string) []argocd.AppProject {
		return []argocd.AppProject{{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}}
	}
	first := &Snapshot{
		ArgoCDNamespace: "argocd", ArgoCDNamespaceGuessed: true,
		Projects:     project("argocd", "default"),
		Applications: []argocd.Application{app("argocd", "a"), app("team-b", "b"), app("apps-x", "c"), app("nowhere", "d")},
		Read:         map[Source]bool{Settings: true, Projects: true, Live: true, RepoServerSettings: true, AppSets: true},
		Problems:     []ReadProblem{{Verb: "list", Resource: "pods", Source: Pods}},
		Install:      Installation{ServerVersion: "v1.37.2"},
		RepoServer:   &RepoServer{},
	}
	teamB := &Snapshot{ArgoCDNamespace: "team-b", Projects: project("team-b", "payments"),
		Read: map[Source]bool{Projects: true}, Problems: []ReadProblem{{Verb: "list", Resource: "secrets", Namespace: "team-b", Source: Clusters}}}
	platform := &Snapshot{ArgoCDNamespace: "platform", Settings: argocd.Settings{ApplicationNamespaces: []string{"apps-*"}},
		Read: map[Source]bool{Settings: true, CmdParams: true, Projects: true}}

	if views := first.Views(); len(views) != 1 || views[0] != first {
		t.Fatalf("one installation: want the Snapshot itself, got %d views", len(views))
	}
	first.OtherInstallations = []*Snapshot{teamB, platform}
	views := first.Views()
	if len(views) != 3 {
		t.Fatalf("%d views, want 3", len(views))
	}
	for i, want := range [][]string{{"a", "d"}, {"b"}, {"c"}} {
		var got []string
		for _, a := range views[i].Applications {
			got = append(got, a.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("view %d (%s) judges %v, want %v", i, views[i].ArgoCDNamespace, got, want)
		}
	}
	b := views[1]
	switch {
	case b.ArgoCDNamespace != "team-b" || b.ArgoCDNamespaceGuessed:
		t.Errorf("view of team-b: namespace %q, guessed %v", b.ArgoCDNamespace, b.ArgoCDNamespaceGuessed)
	case len(b.Projects) != 1 || b.Projects[0].Name != "payments":
		t.Errorf("view of team-b has the projects %v", b.Projects)
	case !b.Has(Live) || !b.Has(Projects):
		t.Error("view of team-b lost a shared source or its own projects")
	case b.Has(Settings) || b.Has(RepoServerSettings) || b.Has(AppSets) || b.RepoServer != nil:
		t.Error("view of team-b inherited the first installation's own sources")
	case len(b.Problems) != 1 || b.Problems[0].Source != Clusters:
		t.Errorf("view of team-b reports the problems %v, want only its own", b.Problems)
	case b.Install.ServerVersion != "v1.37.2":
		t.Error("view of team-b lost the cluster's server version")
	case len(b.AllApplications) != len(first.AllApplications):
		t.Error("every Application is shared")
	}
	if !first.Has(Settings) || len(first.Applications) != 4 || first.ArgoCDNamespace != "argocd" {
		t.Error("Views changed the Snapshot it split")
	}
}
