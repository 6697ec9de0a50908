package e2ereal

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/test/realargocd"
)

// Each case below builds its broken state with the real controller, waits
// for what Argo CD writes, records it (t.Logf "OBSERVED ..."; summarised
// in OBSERVED.md) and runs the plugin on it. Assertions that fail with
// "WAITS ON CHECK <id>" wait for that plugin check to exist.

// A synced, healthy app: the plugin must stay quiet.
// v2.14.21 wrote: sync Synced (revision = HEAD), health Healthy,
// operationState Succeeded "successfully synced (all tasks run)", no
// conditions; resources[] Synced, Deployment/Service health Healthy, the
// ConfigMap with no health field at all.
func TestRealHealthy(t *testing.T) {
	t.Parallel()
	repo := fixtureRepo(t, "real-healthy")
	createApp(t, realargocd.AppSpec{
		Name: "real-healthy", RepoURL: repo.URL, DestNamespace: "real-healthy",
		Finalizer: true, SyncOptions: []string{"CreateNamespace=true"},
	})
	syncAndWait(t, "real-healthy")

	rep, code := diagnose(t, "diagnose", "app", "real-healthy", "-n", argocdNS)
	forbidProblems(t, rep)
	requireExit(t, code, 0, "")
}

// spec.project names an AppProject that never existed.
// v2.14.21 wrote: condition InvalidSpecError "Application referencing
// project does-not-exist which does not exist" first (no sync/health yet),
// then sync and health Unknown; no operationState, no resources; only
// Normal ResourceUpdated events.
func TestRealProjectMissing(t *testing.T) {
	t.Parallel()
	repo := fixtureRepo(t, "real-project-missing")
	createApp(t, realargocd.AppSpec{
		Name: "real-project-missing", Project: "does-not-exist", RepoURL: repo.URL,
		DestNamespace: "real-project-missing",
	})
	waitApp(t, env.apps, "real-project-missing", "condition InvalidSpecError", func(app *unstructured.Unstructured) bool {
		return realargocd.HasCondition(app, "InvalidSpecError")
	}, waitStatus)
	observeUntil(t, "real-project-missing", "sync status Unknown", syncStatusIs("Unknown"), 25*time.Second)
	logEvents(t, argocdNS, "real-project-missing")

	rep, code := diagnose(t, "diagnose", "app", "real-project-missing", "-n", argocdNS)
	f := requireFinding(t, rep, "project-missing", "real-project-missing")
	requireMentions(t, f, "project-missing", "does-not-exist")
	requireExit(t, code, 1, "project-missing")
}

// The project is deleted while a synced app still uses it; the project's
// resources finalizer keeps it (Terminating) as long as the app exists.
// v2.14.21 wrote nothing to the app: still Synced/Healthy, no condition,
// no event, also after the next full reconciliation.
func TestRealProjectDeleting(t *testing.T) {
	t.Parallel()
	const name = "real-project-deleting"
	repo := fixtureRepo(t, name)
	createProject(t, name, true)
	createApp(t, realargocd.AppSpec{
		Name: name, Project: name, RepoURL: repo.URL, DestNamespace: name,
		SyncOptions: []string{"CreateNamespace=true"},
	})
	syncAndWait(t, name)
	deleteProject(t, name)
	projects := env.apps.Dynamic().Resource(realargocd.AppProjectGVR).Namespace(argocdNS)
	poll(t, "AppProject "+name+" Terminating", waitStatus, func(ctx context.Context) (bool, error) {
		p, err := projects.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return p.GetDeletionTimestamp() != nil, nil
	})
	// Give the controller a full refresh on the deleting project before
	// recording what it writes: the next reconciledAt after now.
	waitReconciledAfterNow(t, name)
	proj, err := projects.Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("OBSERVED AppProject %s: deletionTimestamp %v, finalizers %v", name, proj.GetDeletionTimestamp(), proj.GetFinalizers())
	logEvents(t, argocdNS, name)

	// project-deleting is a warning, so the exit status is not asserted.
	rep, _ := diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	f := requireFinding(t, rep, "project-deleting", name)
	requireMentions(t, f, "project-deleting", name)
}

// A managed Deployment carries a foreign finalizer (example.com/hold);
// deleting the app (cascade) hangs on it for ever.
// v2.14.21 wrote NO condition and no Warning event: app health Progressing,
// sync Synced, resources[] Deployment held health Progressing "Pending
// deletion", the deleted ConfigMap Missing. The Deployment's finalizers are
// [example.com/hold foregroundDeletion] (foreground cascade).
func TestRealDeletionForeignFinalizer(t *testing.T) {
	t.Parallel()
	const name = "real-deletion-foreign-finalizer"
	repo := fixtureRepo(t, name)
	createApp(t, realargocd.AppSpec{
		Name: name, RepoURL: repo.URL, DestNamespace: name,
		Finalizer: true, SyncOptions: []string{"CreateNamespace=true"},
	})
	syncAndWait(t, name)
	if err := env.apps.DeleteNoWait(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	deployments := env.cs.AppsV1().Deployments(name)
	poll(t, "Deployment held Terminating", waitStatus, func(ctx context.Context) (bool, error) {
		d, err := deployments.Get(ctx, "held", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return d.DeletionTimestamp != nil, nil
	})
	// The ConfigMap goes at once (foreground deletion, no foreign
	// finalizer); after that only the held Deployment blocks the app.
	poll(t, "ConfigMap held-config deleted", waitStatus, func(ctx context.Context) (bool, error) {
		_, err := env.cs.CoreV1().ConfigMaps(name).Get(ctx, "held-config", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
	waitApp(t, env.apps, name, "app pending deletion, Deployment held Pending deletion, ConfigMap gone", func(app *unstructured.Unstructured) bool {
		st, err := realargocd.StatusOf(app)
		if err != nil || app == nil || app.GetDeletionTimestamp() == nil {
			return false
		}
		for _, r := range st.Resources {
			if r.Kind == "ConfigMap" && r.Health != nil && r.Health.Message == "Pending deletion" {
				return false
			}
		}
		for _, r := range st.Resources {
			if r.Kind == "Deployment" && r.Name == "held" && r.Health != nil && r.Health.Message == "Pending deletion" {
				return true
			}
		}
		return false
	}, waitStatus)
	if d, err := deployments.Get(t.Context(), "held", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("OBSERVED Deployment held: deletionTimestamp %v, finalizers %v", d.DeletionTimestamp, d.Finalizers)
	}
	logEvents(t, argocdNS, name)

	rep, code := diagnose(t, "diagnose", "app", name, "-n", argocdNS, "--stuck-after", "0s")
	f := requireFinding(t, rep, "app-deletion-stuck", name)
	// The cause must be named: which object, which finalizer.
	requireMentions(t, f, "app-deletion-stuck", "held", "example.com/hold")
	requireExit(t, code, 1, "app-deletion-stuck")
}

// The app's project is deleted (no finalizer: gone at once), then the app
// is deleted: the controller cannot finalize an app without its project.
// v2.14.21 wrote InvalidSpecError at once but kept Synced/Healthy until the
// next full reconciliation (then Unknown); after the delete, condition
// DeletionError "error getting app project "<p>": appproject.argoproj.io
// "<p>" not found" and Warning events "Unable to delete application
// resources: ...".
func TestRealDeletionProjectGone(t *testing.T) {
	t.Parallel()
	const name = "real-deletion-project-gone"
	deletionWithProjectGone(t, name, func() {
		observeUntil(t, name, "sync status Unknown with the project gone", syncStatusIs("Unknown"), 25*time.Second)
	})
	logEvents(t, argocdNS, name)

	rep, code := diagnose(t, "diagnose", "app", name, "-n", argocdNS, "--stuck-after", "0s")
	f := requireFinding(t, rep, "app-deletion-stuck", name)
	requireMentions(t, f, "app-deletion-stuck", name)
	requireFinding(t, rep, "project-missing", name)
	requireExit(t, code, 1, "app-deletion-stuck")
}

// deletionWithProjectGone syncs app name (fixture repo of that name) in
// its own project, deletes the project, then the app, and waits until the
// controller says it cannot delete it (DeletionError). between runs after
// the project is gone and before the app is deleted.
func deletionWithProjectGone(t *testing.T, name string, between func()) {
	t.Helper()
	repo := fixtureRepo(t, name)
	createProject(t, name, false)
	createApp(t, realargocd.AppSpec{
		Name: name, Project: name, RepoURL: repo.URL, DestNamespace: name,
		Finalizer: true, SyncOptions: []string{"CreateNamespace=true"},
	})
	syncAndWait(t, name)
	deleteProject(t, name)
	waitApp(t, env.apps, name, "condition InvalidSpecError after project deletion", func(app *unstructured.Unstructured) bool {
		return realargocd.HasCondition(app, "InvalidSpecError")
	}, waitStatus)
	between()
	if err := env.apps.DeleteNoWait(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	waitApp(t, env.apps, name, "condition DeletionError", func(app *unstructured.Unstructured) bool {
		return realargocd.HasCondition(app, "DeletionError")
	}, waitStatus)
}

// An Application with the resources finalizer lives in a namespace the
// controller does not watch (a default install watches only its own); the
// namespace is deleted and stays Terminating on that finalizer.
// v2.14.21 wrote nothing (the app has no status at all);
// kube-controller-manager wrote NamespaceFinalizersRemaining "Some content
// in the namespace has finalizers remaining:
// resources-finalizer.argocd.argoproj.io in 1 resource instances".
func TestRealNamespaceTerminating(t *testing.T) {
	t.Parallel()
	const name = "real-namespace-terminating"
	repo := fixtureRepo(t, name)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := env.cs.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
	apps := env.apps.In(name)
	if _, err := apps.Create(t.Context(), realargocd.AppSpec{
		Name: name, RepoURL: repo.URL, DestNamespace: name, Finalizer: true,
	}); err != nil {
		t.Fatal(err)
	}
	if err := env.cs.CoreV1().Namespaces().Delete(t.Context(), name, metav1.DeleteOptions{}); err != nil {
		t.Fatalf("deleting namespace %s: %v", name, err)
	}
	var remaining *corev1.NamespaceCondition
	poll(t, "namespace "+name+" NamespaceFinalizersRemaining", waitStatus, func(ctx context.Context) (bool, error) {
		got, err := env.cs.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		c := namespaceCondition(got, corev1.NamespaceFinalizersRemaining)
		if c == nil || c.Status != corev1.ConditionTrue {
			return false, nil
		}
		remaining = c
		return true, nil
	})
	t.Logf("OBSERVED namespace %s: condition %s=%s %q", name, remaining.Type, remaining.Status, remaining.Message)
	app, err := apps.Get(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("OBSERVED Application in the terminating namespace:\n%s", realargocd.Describe(app))

	// Diagnosing the app that sits in the terminating namespace must point
	// at the namespace (and at the app's own finalizer as what holds it).
	rep, code := diagnose(t, "diagnose", "app", name, "-n", name, "--stuck-after", "0s")
	f := requireFinding(t, rep, "namespace-terminating", name)
	if f != nil && f.Object.Kind != "Namespace" {
		t.Errorf("namespace-terminating is about %s/%s, want the Namespace %s", f.Object.Kind, f.Object.Name, name)
	}
	// The remaining object and its finalizer must be named.
	requireMentions(t, f, "namespace-terminating", name, realargocd.ResourcesFinalizer)
	// And the app itself: nothing will ever finalize it, because no
	// controller watches Applications in this namespace.
	stuck := requireFinding(t, rep, "app-deletion-stuck", name)
	requireMentions(t, stuck, "app-deletion-stuck", "no application-controller reconciles Applications in namespace "+name)
	// And that is a finding of its own: an app no controller watches.
	unwatched := requireFinding(t, rep, "app-unwatched", name)
	requireMentions(t, unwatched, "app-unwatched", "no application-controller watches Applications in namespace "+name)
	requireExit(t, code, 1, "namespace-terminating")
}

// Wave 0 holds an Ingress that never gets a load-balancer address, so the
// sync waits for it to be healthy and never reaches wave 1.
// v2.14.21 wrote operationState Running "waiting for healthy state of
// networking.k8s.io/Ingress/front and 1 more resources" (the "1 more" is
// the wave-1 ConfigMap not yet applied), no condition, health Progressing
// (Missing for the first second), Ingress health Progressing, no message.
func TestRealOperationStuck(t *testing.T) {
	t.Parallel()
	const name = "real-sync-running"
	repo := fixtureRepo(t, name)
	createApp(t, realargocd.AppSpec{
		Name: name, RepoURL: repo.URL, DestNamespace: name,
		SyncOptions: []string{"CreateNamespace=true"},
	})
	syncUntilRunning(t, name, "the Ingress", "waiting for healthy state")
	observeUntil(t, name, "app health Progressing while the operation runs", func(app *unstructured.Unstructured) bool {
		st, err := realargocd.StatusOf(app)
		return err == nil && st.Health.Status == "Progressing"
	}, 30*time.Second)

	// operation-stuck is a warning (health-progressing-stuck may join it),
	// so the exit status is not asserted.
	rep, _ := diagnose(t, "diagnose", "app", name, "-n", argocdNS, "--stuck-after", "0s")
	f := requireFinding(t, rep, "operation-stuck", name)
	requireMentions(t, f, "operation-stuck", "Running")
	forbidFinding(t, rep, "sync-failed")
}

// Git holds a Deployment the apiserver rejects (replicas -1): the sync fails.
// v2.14.21 wrote operationState Failed "one or more objects failed to
// apply, reason: Deployment.apps "broken" is invalid: spec.replicas: ...",
// syncResult resource SyncFailed; NO SyncError condition; sync OutOfSync,
// health Missing.
func TestRealSyncFailed(t *testing.T) {
	t.Parallel()
	const name = "real-sync-failed"
	repo := fixtureRepo(t, name)
	createApp(t, realargocd.AppSpec{
		Name: name, RepoURL: repo.URL, DestNamespace: name,
		SyncOptions: []string{"CreateNamespace=true"},
	})
	waitApp(t, env.apps, name, "first comparison", func(app *unstructured.Unstructured) bool {
		st, err := realargocd.StatusOf(app)
		return err == nil && st.Sync.Status != "" && st.Sync.Status != "Unknown"
	}, waitStatus)
	if err := env.apps.Sync(t.Context(), name, ""); err != nil {
		t.Fatal(err)
	}
	waitApp(t, env.apps, name, "operation Failed or Error", func(app *unstructured.Unstructured) bool {
		phase := realargocd.OperationPhase(app)
		return phase == "Failed" || phase == "Error"
	}, waitSync)

	rep, code := diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	f := requireFinding(t, rep, "sync-failed", name)
	requireMentions(t, f, "sync-failed", "broken")
	forbidFinding(t, rep, "operation-stuck")
	requireExit(t, code, 1, "sync-failed")
}

// Two apps deploy the same ConfigMap from the same folder.
// v2.14.21 (label tracking) gave the label to the last app synced (b) and
// wrote SharedResourceWarning "ConfigMap/shared is part of applications
// argocd/real-shared-a and real-shared-b" on the other one (a), which is
// OutOfSync; b is Synced with no condition.
func TestRealSharedResource(t *testing.T) {
	t.Parallel()
	const a, b = "real-shared-a", "real-shared-b"
	repo := fixtureRepo(t, "real-shared-resource")
	for _, name := range []string{a, b} {
		createApp(t, realargocd.AppSpec{
			Name: name, RepoURL: repo.URL, DestNamespace: "real-shared-resource",
			SyncOptions: []string{"CreateNamespace=true"},
		})
	}
	syncAndWait(t, a)
	if err := env.apps.Sync(t.Context(), b, ""); err != nil {
		t.Fatal(err)
	}
	waitApp(t, env.apps, b, "second app's sync finished", func(app *unstructured.Unstructured) bool {
		phase := realargocd.OperationPhase(app)
		return phase != "" && phase != "Running"
	}, waitSync)
	// Which app gets the warning depends on who last wrote the tracking
	// label; wait until either has it.
	var warned string
	poll(t, "SharedResourceWarning on "+a+" or "+b, waitStatus, func(ctx context.Context) (bool, error) {
		for _, name := range []string{a, b} {
			app, err := env.apps.Get(ctx, name)
			if err != nil {
				return false, err
			}
			if realargocd.HasCondition(app, "SharedResourceWarning") {
				warned = name
				return true, nil
			}
		}
		return false, nil
	})
	for _, name := range []string{a, b} {
		app, err := env.apps.Get(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("OBSERVED %s:\n%s", name, realargocd.Describe(app))
	}
	cm, err := env.cs.CoreV1().ConfigMaps("real-shared-resource").Get(t.Context(), "shared", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("OBSERVED ConfigMap shared: labels %v annotations %v", cm.Labels, cm.Annotations)

	rep, _ := diagnose(t, "diagnose", "app", warned, "-n", argocdNS)
	f := requireFinding(t, rep, "shared-resource", warned)
	requireMentions(t, f, "shared-resource", "shared")
}

// waitReconciledAfterNow waits for the controller's next reconciliation of
// the app (status.reconciledAt later than now), so what is recorded is the
// controller's reaction to the change just made.
func waitReconciledAfterNow(t *testing.T, name string) {
	t.Helper()
	now := metav1.Now().Rfc3339Copy()
	waitApp(t, env.apps, name, "next reconciliation", func(app *unstructured.Unstructured) bool {
		s, found, err := unstructured.NestedString(app.Object, "status", "reconciledAt")
		if err != nil || !found {
			return false
		}
		var ts metav1.Time
		if err := ts.UnmarshalQueryParameter(s); err != nil {
			return false
		}
		return ts.After(now.Time)
	}, waitStatus)
}
