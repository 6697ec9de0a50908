package diagnose

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// With several installations, each app is judged against the one that
// watches it; a finding on an object every view shares is reported once.
func TestRunJudgesEachAppByItsInstallation(t *testing.T) {
	inNamespace := func(ns, project string) func(*argocd.Application) {
		return func(a *argocd.Application) { a.Namespace, a.Spec.Project = ns, project }
	}
	s := testSnapshot(
		testApp("web"),
		testApp("payments", inNamespace("team-b", "payments")),
		testApp("orphan", inNamespace("nowhere", "default")),
		testApp("lost", inNamespace("team-b", "gone")),
	)
	s.Installations = []string{"argocd", "team-b"}
	deleting := metav1.NewTime(testNow.Add(-time.Hour))
	s.Namespaces = []corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{Name: "stuck", DeletionTimestamp: &deleting},
		Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}}
	s.Read[snapshot.Namespaces] = true
	teamB := &snapshot.Snapshot{ArgoCDNamespace: "team-b", Settings: argocd.DefaultSettings(),
		Projects: []argocd.AppProject{{ObjectMeta: metav1.ObjectMeta{Namespace: "team-b", Name: "payments"}}},
		Read:     map[snapshot.Source]bool{snapshot.Settings: true, snapshot.CmdParams: true, snapshot.Projects: true, snapshot.Clusters: true}}
	s.OtherInstallations = []*snapshot.Snapshot{teamB}

	findings, _ := Run(s, Checks())
	got := map[string]int{}
	for _, f := range findings {
		got[f.ID+" "+f.Object.Namespace+"/"+f.Object.Name]++
		if f.ID == "project-missing" && f.Object.Name == "lost" && !strings.Contains(strings.Join(f.Evidence, "\n")+f.Summary, "payments") {
			t.Errorf("project-missing of team-b/lost should name team-b's projects:\n%+v", f)
		}
		if f.ID == "app-unwatched" && !strings.Contains(strings.Join(f.Evidence, "\n"), "(team-b) do not watch nowhere either") {
			t.Errorf("app-unwatched should name the other installation:\n%+v", f)
		}
	}
	for key, want := range map[string]int{
		"project-missing team-b/payments": 0, // team-b's own project exists
		"project-missing team-b/lost":     1,
		"app-unwatched nowhere/orphan":    1,
		"app-unwatched team-b/payments":   0,
	} {
		if got[key] != want {
			t.Errorf("%s reported %d times, want %d; all: %v", key, got[key], want, got)
		}
	}
	for key, n := range got {
		if n > 1 {
			t.Errorf("%s reported %d times, want once", key, n)
		}
	}
	if got["namespace-terminating /stuck"] != 1 {
		t.Errorf("the stuck namespace, which every view sees, should be reported once: %v", got)
	}
}
