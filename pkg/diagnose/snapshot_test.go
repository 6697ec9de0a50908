package diagnose

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
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

func testSnapshot(apps ...argocd.Application) *Snapshot {
	settings := argocd.DefaultSettings()
	settings.ParamsRead = true
	return &Snapshot{
		Now:             testNow,
		StuckAfter:      5 * time.Minute,
		ArgoCDNamespace: "argocd",
		Settings:        settings,
		Applications:    apps,
		Projects:        []argocd.AppProject{testProject("default")},
		ProjectsRead:    true,
		ClustersRead:    true,
	}
}

func ids(findings []Finding) []string {
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
