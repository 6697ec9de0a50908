package e2ereal

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/test/realargocd"
)

// createRestrictedProject creates an AppProject allowing only the given
// repos and destination namespaces (in-cluster).
func createRestrictedProject(t *testing.T, name string, repos, namespaces []string) {
	t.Helper()
	var dests []any
	for _, ns := range namespaces {
		dests = append(dests, map[string]any{"server": realargocd.InClusterServer, "namespace": ns})
	}
	var rs []any
	for _, r := range repos {
		rs = append(rs, r)
	}
	proj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
		"metadata": map[string]any{"name": name, "namespace": argocdNS},
		"spec":     map[string]any{"sourceRepos": rs, "destinations": dests},
	}}
	if _, err := env.apps.Dynamic().Resource(realargocd.AppProjectGVR).Namespace(argocdNS).Create(t.Context(), proj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating AppProject %s: %v", name, err)
	}
}

func hasConditionContaining(typ, text string) func(*unstructured.Unstructured) bool {
	return func(app *unstructured.Unstructured) bool {
		conditions, _, _ := unstructured.NestedSlice(app.Object, "status", "conditions")
		for _, c := range conditions {
			m, _ := c.(map[string]any)
			msg, _ := m["message"].(string)
			if m["type"] == typ && strings.Contains(msg, text) {
				return true
			}
		}
		return false
	}
}

// The project allows the repo but only namespaces other-*: the app's
// destination namespace is refused.
func TestRealProjectDeniedDestination(t *testing.T) {
	t.Parallel()
	const name = "real-project-denied-dest"
	repo := fixtureRepo(t, "real-project-denied")
	createRestrictedProject(t, name, []string{"*"}, []string{"other-*"})
	createApp(t, realargocd.AppSpec{Name: name, Project: name, RepoURL: repo.URL, DestNamespace: name})
	waitApp(t, env.apps, name, "InvalidSpecError about the destination", hasConditionContaining("InvalidSpecError", "destination"), waitStatus)
	observeUntil(t, name, "sync status Unknown", syncStatusIs("Unknown"), 25*time.Second)

	rep, code := diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	f := requireFinding(t, rep, "project-denied", name)
	requireMentions(t, f, "project-denied", name, "other-*")
	forbidFinding(t, rep, "project-missing")
	requireExit(t, code, 1, "project-denied")

	// allow-destination patches the project under the guards; the
	// controller then drops the condition on its own.
	out, code := runFix(t, "fix", "app", name, "-n", argocdNS, "--only", "allow-destination", "--yes", "--journal-dir", t.TempDir())
	if code != 0 {
		t.Fatalf("fix app --only allow-destination: exit %d\n%s", code, out)
	}
	if err := env.apps.HardRefresh(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	waitApp(t, env.apps, name, "InvalidSpecError gone after allow-destination", func(app *unstructured.Unstructured) bool {
		return !realargocd.HasCondition(app, "InvalidSpecError")
	}, waitStatus)
}

// The project allows only another repo: the app's repo is refused.
func TestRealProjectDeniedRepo(t *testing.T) {
	t.Parallel()
	const name = "real-project-denied-repo"
	repo := fixtureRepo(t, name)
	createRestrictedProject(t, name, []string{"https://git.example.com/allowed/*"}, []string{"*"})
	createApp(t, realargocd.AppSpec{Name: name, Project: name, RepoURL: repo.URL, DestNamespace: name})
	waitApp(t, env.apps, name, "InvalidSpecError about the repo", hasConditionContaining("InvalidSpecError", "is not permitted in project"), waitStatus)

	rep, code := diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	f := requireFinding(t, rep, "project-denied", name)
	requireMentions(t, f, "project-denied", repo.URL, "https://git.example.com/allowed/*")
	requireExit(t, code, 1, "project-denied")
}

// The app points at a path the repository does not hold.
func TestRealComparisonErrorPath(t *testing.T) {
	t.Parallel()
	const name = "real-comparison-error-path"
	repo := fixtureRepo(t, "real-comparison-error")
	createApp(t, realargocd.AppSpec{Name: name, RepoURL: repo.URL, Path: "does-not-exist", DestNamespace: name})
	waitApp(t, env.apps, name, "condition ComparisonError", func(app *unstructured.Unstructured) bool {
		return realargocd.HasCondition(app, "ComparisonError")
	}, waitSync)
	logEvents(t, argocdNS, name)

	rep, code := diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	f := requireFinding(t, rep, "comparison-error", name)
	requireMentions(t, f, "comparison-error", "does-not-exist")
	forbidFinding(t, rep, "sync-failed")
	requireExit(t, code, 1, "comparison-error")
}

// The app deploys a Widget.example.com, a kind with no CRD, next to a
// ConfigMap; it is synced.
func TestRealComparisonErrorCRD(t *testing.T) {
	t.Parallel()
	const name = "real-comparison-error-crd"
	repo := fixtureRepo(t, name)
	createApp(t, realargocd.AppSpec{Name: name, RepoURL: repo.URL, DestNamespace: name, SyncOptions: []string{"CreateNamespace=true"}})
	waitApp(t, env.apps, name, "first comparison", func(app *unstructured.Unstructured) bool {
		st, err := realargocd.StatusOf(app)
		return err == nil && (st.Sync.Status != "" || realargocd.HasCondition(app, "ComparisonError"))
	}, waitStatus)
	if err := env.apps.Sync(t.Context(), name, ""); err != nil {
		t.Fatal(err)
	}
	waitApp(t, env.apps, name, "operation ended", func(app *unstructured.Unstructured) bool {
		phase := realargocd.OperationPhase(app)
		return phase == "Failed" || phase == "Error" || phase == "Succeeded"
	}, waitSync)
	logEvents(t, argocdNS, name)

	rep, code := diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	f := requireFinding(t, rep, "comparison-error", name)
	requireMentions(t, f, "comparison-error", "Widget", "SkipDryRunOnMissingResource")
	forbidFinding(t, rep, "sync-failed")
	requireExit(t, code, 1, "comparison-error")
}

// A PreSync hook Job whose pod can never be scheduled: the sync waits for
// it for ever (kwok runs the node; no node matches the selector).
func TestRealHookStuck(t *testing.T) {
	t.Parallel()
	const name = "real-hook-stuck"
	repo := fixtureRepo(t, name)
	createApp(t, realargocd.AppSpec{Name: name, RepoURL: repo.URL, DestNamespace: name, SyncOptions: []string{"CreateNamespace=true"}})
	syncUntilRunning(t, name, "the hook", "hook")
	var pod corev1.Pod
	poll(t, "the hook's pod Unschedulable", waitStatus, func(ctx context.Context) (bool, error) {
		pods, err := env.cs.CoreV1().Pods(name).List(ctx, metav1.ListOptions{LabelSelector: "job-name=migrate"})
		if err != nil || len(pods.Items) == 0 {
			return false, err
		}
		for _, c := range pods.Items[0].Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonUnschedulable {
				pod = pods.Items[0]
				return true, nil
			}
		}
		return false, nil
	})
	t.Logf("OBSERVED hook pod %s: phase %s, conditions %+v", pod.Name, pod.Status.Phase, pod.Status.Conditions)
	job, err := env.cs.BatchV1().Jobs(name).Get(t.Context(), "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("OBSERVED hook Job migrate: annotations %v, finalizers %v, status %+v", job.Annotations, job.Finalizers, job.Status)

	rep, code := diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	f := requireFinding(t, rep, "hook-stuck", name)
	requireMentions(t, f, "hook-stuck", "migrate", "PreSync", "unschedulable")
	forbidFinding(t, rep, "operation-stuck")
	requireExit(t, code, 1, "hook-stuck")
}
