package e2ereal

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/test/realargocd"
)

// OutOfSync right after a successful sync, with the real controller: a
// Deployment synced by Argo CD, then its replicas changed by a second
// field manager through the scale subresource (as an HPA does). The
// controller marks it OutOfSync; argofix names /spec/replicas and the
// manager; after `fix app --only ignore-differences --yes` the controller
// reports Synced again.
func TestRealOutOfSyncAfterSync(t *testing.T) {
	t.Parallel()
	const name, scaler = "real-outofsync-after-sync", "argofix-test-scaler"
	repo := fixtureRepo(t, name)
	createApp(t, realargocd.AppSpec{
		Name: name, RepoURL: repo.URL, DestNamespace: name,
		Finalizer: true, SyncOptions: []string{"CreateNamespace=true"},
	})
	syncAndWait(t, name)

	deployments := env.cs.AppsV1().Deployments(name)
	scale, err := deployments.GetScale(t.Context(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scale.Spec.Replicas = 3
	if _, err := deployments.UpdateScale(t.Context(), "web", scale, metav1.UpdateOptions{FieldManager: scaler}); err != nil {
		t.Fatal(err)
	}
	if err := env.apps.HardRefresh(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	waitApp(t, env.apps, name, "OutOfSync after the scale", syncStatusIs("OutOfSync"), waitStatus)
	if live, err := deployments.Get(t.Context(), "web", metav1.GetOptions{}); err == nil {
		for _, e := range live.ManagedFields {
			t.Logf("OBSERVED managedFields: manager %s operation %s subresource %q fields %s", e.Manager, e.Operation, e.Subresource, e.FieldsV1.GetRawString())
		}
	}

	rep, _ := diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	f := requireFinding(t, rep, "outofsync-after-sync", name)
	requireMentions(t, f, "", "/spec/replicas", scaler)

	out, code := runFix(t, "fix", "app", name, "-n", argocdNS, "--only", "ignore-differences", "--yes", "--journal-dir", t.TempDir())
	if code != 0 || !strings.Contains(out, "Applied") {
		t.Fatalf("fix app --only ignore-differences: exit %d\n%s", code, out)
	}
	if err := env.apps.HardRefresh(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	app := waitApp(t, env.apps, name, "Synced after ignore-differences", syncStatusIs("Synced"), waitStatus)
	ignore, _, _ := unstructured.NestedSlice(app.Object, "spec", "ignoreDifferences")
	t.Logf("OBSERVED spec.ignoreDifferences after the fix: %v", ignore)

	rep, _ = diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	forbidFinding(t, rep, "outofsync-after-sync")
	if live, err := deployments.Get(t.Context(), "web", metav1.GetOptions{}); err != nil || live.Spec.Replicas == nil || *live.Spec.Replicas != 3 {
		t.Errorf("the scaler's replicas should be kept: %v", err)
	}
}
