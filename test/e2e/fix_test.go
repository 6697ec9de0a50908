package e2e

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

func projectOf(ctx context.Context, t *testing.T, ns, app string) (project, resourceVersion string) {
	t.Helper()
	obj := getObject(ctx, t, applicationsGVR, ns, app)
	if obj == nil {
		t.Fatalf("Application %s/%s is gone", ns, app)
	}
	p, _, _ := unstructuredString(obj.Object, "spec", "project")
	return p, obj.GetResourceVersion()
}

func unstructuredString(obj map[string]any, fields ...string) (string, bool, error) {
	cur := any(obj)
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false, nil
		}
		cur = m[f]
	}
	s, ok := cur.(string)
	return s, ok, nil
}

// Guard 1: --dry-run (client) sends nothing; --dry-run=server sends with
// dryRun=All, shows the server's answer and persists nothing.
func TestFixDryRun(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "project-typo", "fix-dry-run")
	ns := sc.Namespace()
	_, rv := projectOf(ctx, t, ns, "guestbook")

	res := runPlugin(t, fixArgs(ns, "fix", "app", "guestbook", "-n", ns, "--dry-run")...)
	wantExit(t, res, 0)
	wantStdout(t, res, `"op":"test","path":"/spec/project","value":"defualt"`, `"op":"replace","path":"/spec/project","value":"default"`,
		"Dry run (client): nothing was sent.")
	if p, now := projectOf(ctx, t, ns, "guestbook"); p != "defualt" || now != rv {
		t.Errorf("client dry run changed the app: project %q, resourceVersion %s -> %s", p, rv, now)
	}

	res = runPlugin(t, fixArgs(ns, "fix", "app", "guestbook", "-n", ns, "--dry-run=server")...)
	wantExit(t, res, 0)
	wantStdout(t, res, `/spec/project: "defualt" -> "default"`, "Dry run (server): nothing was persisted.")
	if p, now := projectOf(ctx, t, ns, "guestbook"); p != "defualt" || now != rv {
		t.Errorf("server dry run persisted: project %q, resourceVersion %s -> %s", p, rv, now)
	}
}

// Guard 1: a server-side dry run surfaces what admission would refuse, as
// the reason the real run would fail.
func TestFixServerDryRunShowsRejection(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "project-typo", "fix-dry-run-rejected")
	ns := sc.Namespace()
	freezeApplications(ctx, t, ns)

	res := runPlugin(t, fixArgs(ns, "fix", "app", "guestbook", "-n", ns, "--dry-run=server")...)
	wantExit(t, res, 1)
	wantStdout(t, res, "applications are frozen in "+ns)
	if p, _ := projectOf(ctx, t, ns, "guestbook"); p != "defualt" {
		t.Errorf("project changed to %q", p)
	}
}

// freezeApplications installs a ValidatingAdmissionPolicy that refuses any
// update of the Applications of ns, and waits until it is enforced.
func freezeApplications(ctx context.Context, t *testing.T, ns string) {
	t.Helper()
	kube, err := suite.cp.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	fail := admissionregistrationv1.Fail
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "freeze-" + ns},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: &fail,
			MatchConstraints: &admissionregistrationv1.MatchResources{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}},
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Update},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{"argoproj.io"}, APIVersions: []string{"*"}, Resources: []string{"applications"}},
				}}},
			},
			Validations: []admissionregistrationv1.Validation{{Expression: "false", Message: "applications are frozen in " + ns}},
		},
	}
	if _, err := kube.AdmissionregistrationV1().ValidatingAdmissionPolicies().Create(ctx, policy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "freeze-" + ns},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        policy.Name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
		},
	}
	if _, err := kube.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = kube.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Delete(context.Background(), binding.Name, metav1.DeleteOptions{})
		_ = kube.AdmissionregistrationV1().ValidatingAdmissionPolicies().Delete(context.Background(), policy.Name, metav1.DeleteOptions{})
	})
	// The policy is compiled asynchronously: probe with a dry-run patch.
	apps := dynamicClient(t).Resource(applicationsGVR).Namespace(ns)
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := apps.Patch(ctx, "guestbook", types.MergePatchType, []byte(`{"metadata":{"labels":{"probe":"x"}}}`),
			metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
		return err != nil && strings.Contains(err.Error(), "frozen"), nil
	})
	if err != nil {
		t.Fatalf("the admission policy never took effect: %v", err)
	}
}

// Guard 2: without --yes and without a terminal, refuse before any write.
func TestFixWithoutTerminalNeedsYes(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "project-typo", "fix-needs-yes")
	ns := sc.Namespace()
	_, rv := projectOf(ctx, t, ns, "guestbook")
	res := runPlugin(t, fixArgs(ns, "fix", "app", "guestbook", "-n", ns, "--journal-dir", t.TempDir())...)
	wantExit(t, res, 1, "--yes")
	if p, now := projectOf(ctx, t, ns, "guestbook"); p != "defualt" || now != rv {
		t.Errorf("refused fix changed the app: project %q, resourceVersion %s -> %s", p, rv, now)
	}
}

// Guard 5: the journal holds the prior state; undo restores set-project.
func TestFixSetProjectJournalAndUndo(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "project-typo", "fix-undo-set-project")
	ns := sc.Namespace()
	dir := t.TempDir()

	res := runPlugin(t, fixArgs(ns, "fix", "app", "guestbook", "-n", ns, "--yes", "--journal-dir", dir)...)
	wantExit(t, res, 0)
	wantStdout(t, res, "Applied: the patch of Application.argoproj.io "+ns+"/guestbook", "kubectl argofix undo ")
	if p, _ := projectOf(ctx, t, ns, "guestbook"); p != "default" {
		t.Fatalf("project is %q after set-project, want default\n%s", p, res)
	}
	journal := journalIn(t, dir)
	data, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Entries []struct {
			Status string          `json:"status"`
			Before json.RawMessage `json:"before"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(data, &j); err != nil || len(j.Entries) != 1 || j.Entries[0].Status != "applied" {
		t.Fatalf("journal does not hold the applied action (%v):\n%s", err, data)
	}
	var before map[string]any
	if err := json.Unmarshal(j.Entries[0].Before, &before); err != nil {
		t.Fatal(err)
	}
	if p, _, _ := unstructuredString(before, "spec", "project"); p != "defualt" {
		t.Fatalf("journal's prior state has project %q, want defualt:\n%s", p, data)
	}

	res = runPlugin(t, fixArgs(ns, "undo", journal, "--dry-run")...)
	wantExit(t, res, 0)
	if p, _ := projectOf(ctx, t, ns, "guestbook"); p != "default" {
		t.Fatalf("undo --dry-run changed the project to %q", p)
	}
	res = runPlugin(t, fixArgs(ns, "undo", journal, "--yes", "--journal-dir", t.TempDir())...)
	wantExit(t, res, 0)
	if p, _ := projectOf(ctx, t, ns, "guestbook"); p != "defualt" {
		t.Errorf("project is %q after undo, want defualt again\n%s", p, res)
	}
}

// Guard 7: a read-only user is refused before any write, naming the rule;
// with partial rights nothing is half-applied.
func TestFixPermissions(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "project-typo", "fix-permissions")
	ns := sc.Namespace()
	readRules := []rbacv1.PolicyRule{
		{APIGroups: []string{"argoproj.io"}, Resources: []string{"applications", "appprojects"}, Verbs: []string{"get", "list"}},
		{APIGroups: []string{""}, Resources: []string{"configmaps", "secrets", "pods", "namespaces"}, Verbs: []string{"get", "list"}},
	}
	grant(ctx, t, ns, "argofix-read", readRules)
	kubeconfig, err := suite.cp.KubeconfigFor(controlplane.UserReader)
	if err != nil {
		t.Fatal(err)
	}
	_, rv := projectOf(ctx, t, ns, "guestbook")
	res := runPlugin(t, "--kubeconfig", kubeconfig, "--argocd-namespace", ns, "fix", "app", "guestbook", "-n", ns, "--yes", "--journal-dir", t.TempDir())
	wantExit(t, res, 3, "patch applications.argoproj.io guestbook (in namespace "+ns+")")

	// May patch Applications, may not create AppProjects: both fixes asked
	// for, neither applied.
	grant(ctx, t, ns, "argofix-patch-apps", []rbacv1.PolicyRule{{APIGroups: []string{"argoproj.io"}, Resources: []string{"applications"}, Verbs: []string{"patch"}}})
	res = runPlugin(t, "--kubeconfig", kubeconfig, "--argocd-namespace", ns, "fix", "app", "guestbook", "-n", ns,
		"--only", "set-project,create-project", "--yes", "--journal-dir", t.TempDir())
	wantExit(t, res, 3, "create appprojects.argoproj.io defualt")
	if p, now := projectOf(ctx, t, ns, "guestbook"); p != "defualt" || now != rv {
		t.Errorf("a refused plan changed the app: project %q, resourceVersion %s -> %s", p, rv, now)
	}
	if getObject(ctx, t, appProjectsGVR, ns, "defualt") != nil {
		t.Errorf("a refused plan created the project")
	}
}

// Guard 6: stripping an app's finalizer while its resources exist orphans
// them: refused without --force, naming them. The held Deployment's own
// finalizer is removed, and the app's deletion then finishes by itself
// once nothing holds it (no controller runs here: the app keeps its
// finalizer, which is the point).
func TestFixRemoveFinalizersNeedsForce(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "app-deletion-stuck-held", "fix-force")
	ns := sc.Namespace()
	settleHeldDeployment(ctx, t, ns+"-web")
	res := runPlugin(t, fixArgs(ns, "fix", "app", "web", "-n", ns, "--stuck-after=0s", "--only", "remove-finalizers", "--yes", "--journal-dir", t.TempDir())...)
	wantExit(t, res, 1)
	wantStdout(t, res, "Refused without --force: remove-finalizers for Application.argoproj.io "+ns+"/web",
		"would be orphaned: Deployment.apps "+ns+"-web/web",
		"Applied: the patch of Deployment.apps "+ns+"-web/web")
	app := getObject(ctx, t, applicationsGVR, ns, "web")
	if app == nil || len(app.GetFinalizers()) == 0 {
		t.Errorf("the app lost its finalizer without --force")
	}
	waitGone(ctx, t, deploymentsGVR, ns+"-web", "web", 30*time.Second)
}

// fix namespace resolves a namespace held by its own finalizer, and undo
// says plainly that a finalizer removed from an object being deleted
// cannot be put back.
func TestFixNamespace(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "namespace-terminating-finalizer", "fix-namespace")
	stuck := sc.Namespace() + "-team"
	dir := t.TempDir()

	// The namespace controller first deletes what the namespace holds and
	// clears spec.finalizers; then only the Namespace's own finalizer holds
	// it, the stuck state.
	kube, err := suite.cp.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		ns, err := kube.CoreV1().Namespaces().Get(ctx, stuck, metav1.GetOptions{})
		return err == nil && len(ns.Spec.Finalizers) == 0, nil
	})
	if err != nil {
		t.Fatalf("the namespace controller never finished its part of %s: %v", stuck, err)
	}
	res := runPlugin(t, fixArgs(sc.Namespace(), "fix", "namespace", stuck, "--stuck-after=0s", "--dry-run")...)
	wantExit(t, res, 0)
	wantStdout(t, res, "remove-finalizers (medium risk) for namespace-terminating Namespace/"+stuck, `"value":["example.com/hold"`)
	if getObject(ctx, t, namespacesGVR, "", stuck) == nil {
		t.Fatal("the dry run removed the namespace")
	}
	res = runPlugin(t, fixArgs(sc.Namespace(), "fix", "namespace", stuck, "--stuck-after=0s", "--yes", "--journal-dir", dir)...)
	wantExit(t, res, 0)
	waitGone(ctx, t, namespacesGVR, "", stuck, 30*time.Second)

	res = runPlugin(t, fixArgs(sc.Namespace(), "undo", journalIn(t, dir), "--yes", "--journal-dir", t.TempDir())...)
	wantExit(t, res, 1) // nothing could be restored: not "done"
	wantStdout(t, res, "Cannot restore: the patch of Namespace/"+stuck+": finalizers cannot be re-added to an object that is being deleted")
	wantStdout(t, res, "Nothing to undo.")
}

// finalizers lists what holds an app's deletion and, as a dry run, the
// exact patches; nothing changes.
func TestFinalizersDryRun(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "app-deletion-stuck-held", "finalizers-dry-run")
	ns := sc.Namespace()
	settleHeldDeployment(ctx, t, ns+"-web")
	before := getObject(ctx, t, deploymentsGVR, ns+"-web", "web").GetResourceVersion()
	res := runPlugin(t, fixArgs(ns, "finalizers", "-n", ns, "--stuck-after=0s", "--dry-run")...)
	wantExit(t, res, 0)
	wantStdout(t, res, "Deployment.apps "+ns+"-web/web", "example.com/hold", "the controller of example.com removes it",
		`kubectl -n `+ns+`-web patch deployments.apps web --type json -p '[{"op":"test","path":"/metadata/finalizers","value":["example.com/hold"`,
		"Dry run (client): nothing was sent.")
	if now := getObject(ctx, t, deploymentsGVR, ns+"-web", "web").GetResourceVersion(); now != before {
		t.Errorf("finalizers --dry-run changed the Deployment: resourceVersion %s -> %s", before, now)
	}
}

// refresh and invalidate-cache write the refresh annotation through the
// guarded path; the in-cluster destination without a Secret gets advice,
// not a Secret.
func TestRefreshAndInvalidateCache(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "destination-cluster-secret", "fix-refresh")
	ns := sc.Namespace()
	apps := dynamicClient(t).Resource(applicationsGVR).Namespace(ns)
	list, err := apps.List(ctx, metav1.ListOptions{})
	if err != nil || len(list.Items) == 0 {
		t.Fatalf("no Application in %s (%v)", ns, err)
	}
	app := list.Items[0].GetName()

	res := runPlugin(t, fixArgs(ns, "refresh", app, "-n", ns, "--yes", "--journal-dir", t.TempDir())...)
	wantExit(t, res, 0)
	if got := getObject(ctx, t, applicationsGVR, ns, app).GetAnnotations()["argocd.argoproj.io/refresh"]; got != "normal" {
		t.Errorf("refresh annotation = %q, want normal\n%s", got, res)
	}
	res = runPlugin(t, fixArgs(ns, "fix", "app", app, "-n", ns, "--only", "refresh", "--yes", "--journal-dir", t.TempDir())...)
	wantExit(t, res, 0)
	if got := getObject(ctx, t, applicationsGVR, ns, app).GetAnnotations()["argocd.argoproj.io/refresh"]; got != "hard" {
		t.Errorf("fix app --only refresh: annotation = %q, want hard\n%s", got, res)
	}

	res = runPlugin(t, fixArgs(ns, "invalidate-cache", "prod-west", "--yes", "--journal-dir", t.TempDir())...)
	wantExit(t, res, 0)
	stamp := getObject(ctx, t, secretsGVR, ns, "cluster-prod-west").GetAnnotations()["argocd.argoproj.io/refresh"]
	if _, err := time.Parse(time.RFC3339, stamp); err != nil {
		t.Errorf("cluster Secret refresh annotation %q is not an RFC 3339 time\n%s", stamp, res)
	}

	res = runPlugin(t, fixArgs(ns, "invalidate-cache", "in-cluster", "--yes")...)
	wantExit(t, res, 0)
	wantStdout(t, res, "rollout restart statefulset argocd-application-controller")

	res = runPlugin(t, fixArgs(ns, "invalidate-cache", "https://nowhere.example.com", "--yes")...)
	wantExit(t, res, 2, "no cluster Secret")
}

// settleHeldDeployment waits until the garbage collector has dropped the
// held Deployment's foregroundDeletion, leaving only the foreign finalizer:
// the stuck state. A fix planned before that would rightly conflict with
// the garbage collector's own write.
func settleHeldDeployment(ctx context.Context, t *testing.T, ns string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		return len(getObject(ctx, t, deploymentsGVR, ns, "web").GetFinalizers()) == 1, nil
	})
	if err != nil {
		t.Fatalf("the Deployment never settled on its one foreign finalizer: %v", err)
	}
}
