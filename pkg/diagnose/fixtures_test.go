package diagnose

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// testNow is the clock every check test judges age by.
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func testApp(name string, mutate ...func(*argocd.Application)) argocd.Application {
	app := argocd.Application{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "argocd"},
		Spec: argocd.ApplicationSpec{
			Project:     "default",
			Destination: argocd.Destination{Server: argocd.InClusterServer, Namespace: name},
			Source:      &argocd.ApplicationSource{RepoURL: "https://git.example.com/apps.git", Path: name},
		},
	}
	for _, m := range mutate {
		m(&app)
	}
	return app
}

func testProject(name string) argocd.AppProject {
	return argocd.AppProject{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "argocd"}}
}

func testSnapshot(apps ...argocd.Application) *snapshot.Snapshot {
	settings := argocd.DefaultSettings()
	return &snapshot.Snapshot{
		Now:             testNow,
		StuckAfter:      5 * time.Minute,
		ArgoCDNamespace: "argocd",
		Settings:        settings,
		Applications:    apps,
		Projects:        []argocd.AppProject{testProject("default")},
		Read:            readAll(),
	}
}

func ids(findings []report.Finding) []string {
	out := []string{}
	for _, f := range findings {
		out = append(out, f.ID+" "+f.Object.Name)
	}
	return out
}

func timeAgo(d time.Duration) *metav1.Time {
	t := metav1.NewTime(testNow.Add(-d))
	return &t
}

// readAll marks the installation's sources as read; namespaces, pods,
// nodes and controller pods are left to the tests that fill them.
func readAll() map[snapshot.Source]bool {
	read := map[snapshot.Source]bool{}
	for _, src := range []snapshot.Source{snapshot.Settings, snapshot.CmdParams, snapshot.Projects, snapshot.Clusters,
		snapshot.AllApplications, snapshot.Live, snapshot.NamespaceContents, snapshot.CRDs, snapshot.OtherInstallations} {
		read[src] = true
	}
	return read
}
