package diagnose

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckProjectDenied(t *testing.T) {
	team := func(mutate ...func(*argocd.AppProject)) argocd.AppProject {
		p := testProject("team")
		p.ResourceVersion = "42"
		p.Spec.SourceRepos = []string{"https://git.example.com/team/*"}
		p.Spec.Destinations = []argocd.Destination{{Server: argocd.InClusterServer, Namespace: "team-*"}}
		for _, m := range mutate {
			m(&p)
		}
		return p
	}
	inTeam := func(a *argocd.Application) { a.Spec.Project = "team" }
	cond := func(typ, msg string) func(*argocd.Application) {
		return func(a *argocd.Application) {
			a.Status.Conditions = append(a.Status.Conditions, argocd.ApplicationCondition{Type: typ, Message: msg, LastTransitionTime: timeAgo(2 * time.Minute)})
		}
	}
	withProjects := func(app argocd.Application, projects ...argocd.AppProject) *snapshot.Snapshot {
		s := testSnapshot(app)
		s.Projects[0].Spec = argocd.AppProjectSpec{SourceRepos: []string{"*"}, Destinations: []argocd.Destination{{Server: "*", Namespace: "*"}}}
		s.Projects = append(s.Projects, projects...)
		return s
	}
	destMsg := "application destination server 'https://kubernetes.default.svc' and namespace 'shop' do not match any of the allowed destinations in project 'team'"
	runCheckCases(t, "project-denied", []checkCase{
		{
			name: "destination refused: names the rule, the closest entry, and offers allow-destination",
			snapshot: withProjects(testApp("shop", inTeam, func(a *argocd.Application) {
				a.Spec.Source.RepoURL = "https://git.example.com/team/shop.git"
			}, cond("InvalidSpecError", destMsg)), team()),
			want: []string{"project-denied shop"},
			wantText: []string{
				"AppProject team refuses the app: destination server https://kubernetes.default.svc, namespace shop is not in spec.destinations",
				"condition InvalidSpecError since 2026-11-25T09:58:00Z: " + destMsg,
				"closest allowed entry: server https://kubernetes.default.svc, namespace team-*",
				`{"op":"test","path":"/spec/destinations","value":[{"namespace":"team-*","server":"https://kubernetes.default.svc"}]}`,
				`{"op":"add","path":"/spec/destinations/-","value":{"namespace":"shop","server":"https://kubernetes.default.svc"}}`,
			},
			// default allows everything: set-project is offered too.
			wantFixes: []string{"allow-destination", "set-project"},
		},
		{
			name: "repo refused, project has no sourceRepos: the patch tests the resourceVersion",
			snapshot: withProjects(testApp("shop", inTeam, func(a *argocd.Application) { a.Spec.Destination.Namespace = "team-shop" },
				cond("InvalidSpecError", "application repo https://git.example.com/apps.git is not permitted in project 'team'")),
				team(func(p *argocd.AppProject) { p.Spec.SourceRepos = nil })),
			want: []string{"project-denied shop"},
			wantText: []string{
				"repo https://git.example.com/apps.git is not in spec.sourceRepos",
				"matches no entry of AppProject team spec.sourceRepos: (none)",
				`{"op":"test","path":"/metadata/resourceVersion","value":"42"}`,
				`{"op":"add","path":"/spec/sourceRepos","value":["https://git.example.com/apps.git"]}`,
			},
			wantFixes: []string{"allow-source-repo", "set-project"},
		},
		{
			name: "app namespace not in sourceNamespaces (UnknownError)",
			snapshot: withProjects(testApp("shop", inTeam, func(a *argocd.Application) { a.Namespace = "team-apps" },
				cond("UnknownError", "application 'shop' in namespace 'team-apps' is not permitted to use project 'team'")), team()),
			want:     []string{"project-denied shop"},
			wantText: []string{"the app's namespace team-apps is not in spec.sourceNamespaces ((none))"},
		},
		{
			name: "resource kind refused at sync",
			snapshot: withProjects(testApp("shop", inTeam, func(a *argocd.Application) {
				a.Status.OperationState = &argocd.OperationState{Phase: argocd.PhaseFailed, Message: "one or more synchronization tasks are not valid",
					StartedAt: metav1.NewTime(testNow.Add(-time.Hour)), FinishedAt: timeAgo(time.Hour),
					SyncResult: &argocd.SyncResult{Resources: []argocd.ResourceResult{{Kind: "Namespace", Name: "shop", Status: "SyncFailed", Message: "resource :Namespace is not permitted in project team"}}}}
			}), team()),
			want:      []string{"project-denied shop"},
			wantText:  []string{"the last sync was refused for Namespace/shop", "spec.clusterResourceWhitelist: (none)"},
			wantFixes: []string{},
		},
		{
			name:     "project allows the app: silent",
			snapshot: withProjects(testApp("shop", inTeam, func(a *argocd.Application) { a.Spec.Destination.Namespace = "team-shop" }), team()),
			want:     []string{},
		},
		{
			name:     "project missing: left to project-missing, silent",
			snapshot: testSnapshot(testApp("shop", func(a *argocd.Application) { a.Spec.Project = "gone" }, cond("InvalidSpecError", destMsg))),
			want:     []string{},
		},
	})
}

func TestProjectPermits(t *testing.T) {
	p := argocd.AppProject{Spec: argocd.AppProjectSpec{
		SourceRepos:  []string{"https://git.example.com/*", "!https://git.example.com/secret"},
		Destinations: []argocd.Destination{{Server: "*", Namespace: "team-*"}, {Name: "prod", Namespace: "web"}},
	}}
	for repo, want := range map[string]bool{
		"https://git.example.com/a.git": true, "https://GIT.example.com/a/": true,
		"https://git.example.com/secret.git": false, "https://other.example.com/a": false,
	} {
		if got := p.PermitsRepo(repo); got != want {
			t.Errorf("PermitsRepo(%s) = %t, want %t", repo, got, want)
		}
	}
	for _, tt := range []struct {
		d    argocd.Destination
		want bool
	}{
		{argocd.Destination{Server: argocd.InClusterServer, Namespace: "team-a"}, true},
		{argocd.Destination{Server: argocd.InClusterServer, Namespace: "web"}, false},
		{argocd.Destination{Name: "prod", Namespace: "web"}, true},
	} {
		if got := p.PermitsDestination(tt.d, tt.d.Server); got != tt.want {
			t.Errorf("PermitsDestination(%+v) = %t, want %t", tt.d, got, tt.want)
		}
	}
}
