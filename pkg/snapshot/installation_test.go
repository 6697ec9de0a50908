package snapshot

import (
	"context"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// TestCollectInstallation checks what a refused or empty read of the control
// namespace leaves in the Snapshot: the source stays unread, with a
// ReadProblem naming it, and the other sources are still read.
func TestCollectInstallation(t *testing.T) {
	installed := func() []runtime.Object {
		return []runtime.Object{
			testNamespace("argocd"),
			testConfigMap("argocd", argocd.ConfigMapName, nil),
			testConfigMap("argocd", argocd.CmdParamsConfigMap, map[string]string{"application.namespaces": "team-*"}),
			testClusterSecret("argocd", "prod", "https://prod.example.com"),
		}
	}
	tests := []struct {
		name    string
		kube    []runtime.Object
		noProj  bool // no AppProject at all
		guessed bool
		refuse  func(f *fakeAPI)

		wantUnread   []Source
		wantProblems []ReadProblem
		wantProjects []string
		wantClusters int
		wantAppNS    []string // Settings.ApplicationNamespaces
	}{
		{
			name: "everything readable", kube: installed(),
			wantProjects: []string{"default"}, wantClusters: 1, wantAppNS: []string{"team-*"},
		},
		{
			name: "AppProjects forbidden", kube: installed(),
			refuse:       func(f *fakeAPI) { f.forbidDynamic("list", "appprojects", nil) },
			wantUnread:   []Source{Projects},
			wantProblems: []ReadProblem{{Verb: "list", Resource: "appprojects.argoproj.io", Namespace: "argocd", Source: Projects}},
			wantClusters: 1, wantAppNS: []string{"team-*"},
		},
		{
			name: "cluster Secrets forbidden", kube: installed(),
			refuse:       func(f *fakeAPI) { f.forbidKube("list", "secrets", nil) },
			wantUnread:   []Source{Clusters},
			wantProblems: []ReadProblem{{Verb: "list", Resource: "secrets", Namespace: "argocd", Source: Clusters}},
			wantProjects: []string{"default"}, wantAppNS: []string{"team-*"},
		},
		{
			name: "argocd-cmd-params-cm forbidden, ConfigMaps not listable", kube: installed(),
			refuse: func(f *fakeAPI) {
				f.forbidKube("list", "configmaps", inNamespaceAction("argocd"))
				f.forbidKube("get", "configmaps", namedAction(argocd.CmdParamsConfigMap))
			},
			wantUnread:   []Source{CmdParams},
			wantProblems: []ReadProblem{{Verb: "get", Resource: "configmaps", Namespace: "argocd", Source: CmdParams}},
			wantProjects: []string{"default"}, wantClusters: 1,
		},
		{
			name: "argocd-cm forbidden, ConfigMaps not listable", kube: installed(),
			refuse: func(f *fakeAPI) {
				f.forbidKube("list", "configmaps", inNamespaceAction("argocd"))
				f.forbidKube("get", "configmaps", namedAction(argocd.ConfigMapName))
			},
			wantUnread:   []Source{Settings},
			wantProblems: []ReadProblem{{Verb: "get", Resource: "configmaps", Namespace: "argocd", Source: Settings}},
			wantProjects: []string{"default"}, wantClusters: 1, wantAppNS: []string{"team-*"},
		},
		{
			name: "guessed namespace without argocd-cm or AppProject", kube: []runtime.Object{testNamespace("argocd")},
			noProj: true, guessed: true,
			wantUnread:   []Source{Projects},
			wantProblems: []ReadProblem{{Verb: "find", Resource: "Argo CD installation", Namespace: "argocd", Source: Projects}},
		},
		{
			name: "guessed namespace with argocd-cm", kube: []runtime.Object{testNamespace("argocd"), testConfigMap("argocd", argocd.ConfigMapName, nil)},
			noProj: true, guessed: true,
		},
		{
			name: "guessed namespace with an AppProject", kube: []runtime.Object{testNamespace("argocd")},
			guessed: true, wantProjects: []string{"default"},
		},
		{
			// Named by the user or found by its controller: no project is a fact.
			name: "known namespace without argocd-cm or AppProject", kube: []runtime.Object{testNamespace("argocd")},
			noProj: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dynamic := []runtime.Object{testApplication("argocd", "guestbook", "default", "guestbook")}
			if !tt.noProj {
				dynamic = append(dynamic, testAppProject("argocd", "default"))
			}
			f := newFakeAPI(tt.kube, dynamic...)
			if tt.refuse != nil {
				tt.refuse(f)
			}
			opts := testCollectOptions()
			opts.ArgoCDNamespaceGuessed = tt.guessed
			s, err := CollectApp(context.Background(), f.clients(), AppTarget{Namespace: "argocd", Name: "guestbook"}, opts)
			if err != nil {
				t.Fatalf("CollectApp: %v", err)
			}
			for _, src := range []Source{Settings, CmdParams, Projects, Clusters} {
				if want := !slices.Contains(tt.wantUnread, src); s.Has(src) != want {
					t.Errorf("Has(%s) = %v, want %v", src, s.Has(src), want)
				}
			}
			var got []ReadProblem
			for _, src := range []Source{Settings, CmdParams, Projects, Clusters} {
				got = append(got, problemsOf(t, s, src)...)
			}
			if !slices.Equal(got, tt.wantProblems) {
				t.Errorf("problems %+v, want %+v", got, tt.wantProblems)
			}
			if names := s.ProjectNames(); !slices.Equal(names, tt.wantProjects) {
				t.Errorf("projects %v, want %v", names, tt.wantProjects)
			}
			if len(s.Clusters) != tt.wantClusters {
				t.Errorf("%d clusters, want %d", len(s.Clusters), tt.wantClusters)
			}
			if !slices.Equal(s.Settings.ApplicationNamespaces, tt.wantAppNS) {
				t.Errorf("application namespaces %v, want %v", s.Settings.ApplicationNamespaces, tt.wantAppNS)
			}
		})
	}
}

// TestMalformedAppProjectIsKept: a project whose spec cannot be decoded
// still exists, so apps naming it must not look orphaned.
func TestMalformedAppProjectIsKept(t *testing.T) {
	bad := testAppProject("argocd", "broken")
	bad.Object["spec"] = "not an object"
	f := newFakeAPI([]runtime.Object{testNamespace("argocd")},
		testApplication("argocd", "guestbook", "broken", "guestbook"), testAppProject("argocd", "default"), bad)
	s, err := CollectApp(context.Background(), f.clients(), AppTarget{Namespace: "argocd", Name: "guestbook"}, testCollectOptions())
	if err != nil {
		t.Fatalf("CollectApp: %v", err)
	}
	if !s.Has(Projects) {
		t.Error("Projects unread")
	}
	names := s.ProjectNames()
	slices.Sort(names)
	if !slices.Equal(names, []string{"broken", "default"}) {
		t.Errorf("projects %v, want [broken default]", names)
	}
	want := []ReadProblem{{Verb: "decode", Resource: "appprojects.argoproj.io", Namespace: "argocd"}}
	if got := problemsOf(t, s, ""); !slices.Equal(got, want) {
		t.Errorf("problems %+v, want %+v", got, want)
	}
}
