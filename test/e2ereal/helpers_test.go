package e2ereal

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/argofix/kubectl-argofix/test/realargocd"
)

// Waits are generous: both cores may be busy with other tiers, and the
// controller refreshes every 10s at worst.
const (
	waitSync   = 90 * time.Second
	waitStatus = 60 * time.Second
)

// createApp creates an Application in Argo CD's namespace.
func createApp(t *testing.T, spec realargocd.AppSpec) {
	t.Helper()
	if _, err := env.apps.Create(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
}

// waitApp waits until cond holds for the Application and logs what Argo
// CD wrote at that moment (the record OBSERVED.md is made from).
func waitApp(t *testing.T, apps *realargocd.Apps, name, what string, cond func(*unstructured.Unstructured) bool, timeout time.Duration) *unstructured.Unstructured {
	t.Helper()
	began := time.Now()
	app, err := apps.WaitFor(t.Context(), name, cond, timeout)
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
	t.Logf("OBSERVED after %s, %s:\n%s", time.Since(began).Round(time.Millisecond), what, realargocd.Describe(app))
	return app
}

// syncAndWait syncs the Application and waits until it is Synced and Healthy.
func syncAndWait(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	if err := env.apps.Sync(t.Context(), name, ""); err != nil {
		t.Fatal(err)
	}
	return waitApp(t, env.apps, name, "Synced/Healthy after sync", realargocd.SyncedHealthy, waitSync)
}

// createProject creates an AppProject allowing everything, like the
// default project; finalizer adds the resources finalizer with which the
// controller keeps a project while Applications still use it.
func createProject(t *testing.T, name string, finalizer bool) {
	t.Helper()
	meta := map[string]any{"name": name, "namespace": argocdNS}
	if finalizer {
		meta["finalizers"] = []any{realargocd.ResourcesFinalizer}
	}
	proj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "AppProject",
		"metadata":   meta,
		"spec": map[string]any{
			"sourceRepos":              []any{"*"},
			"destinations":             []any{map[string]any{"server": "*", "namespace": "*"}},
			"clusterResourceWhitelist": []any{map[string]any{"group": "*", "kind": "*"}},
		},
	}}
	if _, err := env.apps.Dynamic().Resource(realargocd.AppProjectGVR).Namespace(argocdNS).Create(t.Context(), proj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating AppProject %s: %v", name, err)
	}
}

func deleteProject(t *testing.T, name string) {
	t.Helper()
	if err := env.apps.Dynamic().Resource(realargocd.AppProjectGVR).Namespace(argocdNS).Delete(t.Context(), name, metav1.DeleteOptions{}); err != nil {
		t.Fatalf("deleting AppProject %s: %v", name, err)
	}
}

// poll waits for cond (an API read) with the tier's interval.
func poll(t *testing.T, what string, timeout time.Duration, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func namespaceCondition(ns *corev1.Namespace, typ corev1.NamespaceConditionType) *corev1.NamespaceCondition {
	for i := range ns.Status.Conditions {
		if ns.Status.Conditions[i].Type == typ {
			return &ns.Status.Conditions[i]
		}
	}
	return nil
}

// observeUntil waits up to timeout for cond and logs what Argo CD wrote
// either way; it never fails the test. It records how the controller's
// writes settle (e.g. whether sync/health turn Unknown) without making the
// case depend on it.
func observeUntil(t *testing.T, name, what string, cond func(*unstructured.Unstructured) bool, timeout time.Duration) {
	t.Helper()
	began := time.Now()
	app, err := env.apps.WaitFor(t.Context(), name, cond, timeout)
	if err != nil {
		t.Logf("OBSERVED: %s did NOT happen within %s; last seen:\n%s", what, timeout, realargocd.Describe(app))
		return
	}
	t.Logf("OBSERVED after %s, %s:\n%s", time.Since(began).Round(time.Millisecond), what, realargocd.Describe(app))
}

// logEvents records the Events about an object (the controller's, and
// kube-controller-manager's), since some states leave no condition.
func logEvents(t *testing.T, ns, name string) {
	t.Helper()
	events, err := env.cs.CoreV1().Events(ns).List(t.Context(), metav1.ListOptions{FieldSelector: "involvedObject.name=" + name})
	if err != nil {
		t.Errorf("listing events of %s/%s: %v", ns, name, err)
		return
	}
	for _, e := range events.Items {
		t.Logf("OBSERVED event on %s %s/%s: %s %s (x%d) from %s: %s", e.InvolvedObject.Kind, ns, name, e.Type, e.Reason, e.Count, e.Source.Component, e.Message)
	}
	if len(events.Items) == 0 {
		t.Logf("OBSERVED: no events on %s/%s", ns, name)
	}
}

func syncStatusIs(want string) func(*unstructured.Unstructured) bool {
	return func(app *unstructured.Unstructured) bool {
		st, err := realargocd.StatusOf(app)
		return err == nil && st.Sync.Status == want
	}
}

// syncUntilRunning waits for the app's first comparison (OutOfSync), syncs
// it, and waits until its operation runs, waiting for what (its message
// contains messagePart).
func syncUntilRunning(t *testing.T, name, what, messagePart string) {
	t.Helper()
	waitApp(t, env.apps, name, "first comparison", func(app *unstructured.Unstructured) bool {
		st, err := realargocd.StatusOf(app)
		return err == nil && st.Sync.Status == "OutOfSync"
	}, waitStatus)
	if err := env.apps.Sync(t.Context(), name, ""); err != nil {
		t.Fatal(err)
	}
	waitApp(t, env.apps, name, "operation Running, waiting for "+what, func(app *unstructured.Unstructured) bool {
		st, err := realargocd.StatusOf(app)
		return err == nil && st.OperationState != nil && st.OperationState.Phase == "Running" &&
			strings.Contains(st.OperationState.Message, messagePart)
	}, waitSync)
}
