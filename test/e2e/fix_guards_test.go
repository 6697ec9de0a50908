package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/fixes"
	argofixreport "github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// These tests drive pkg/fixes directly against the real control plane,
// because they need another writer between the diagnosis and the write,
// which a single run of the binary gives no room for.

func realClients(t *testing.T) snapshot.Clients {
	t.Helper()
	cfg := suite.cp.RESTConfig()
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
	return snapshot.Clients{Kube: kube, Dynamic: dynamicClient(t), Mapper: mapper, Discovery: disco}
}

// appFindings diagnoses one app as `fix app` does.
func appFindings(ctx context.Context, t *testing.T, c snapshot.Clients, ns, name string) []argofixreport.Finding {
	t.Helper()
	snap, err := snapshot.CollectApp(ctx, c, snapshot.AppTarget{Namespace: ns, Name: name},
		snapshot.CollectOptions{ArgoCDNamespace: ns, Now: time.Now(), StuckAfter: 0})
	if err != nil {
		t.Fatal(err)
	}
	findings, _ := diagnose.Run(snap, diagnose.Checks())
	return findings
}

func guardedApplier(t *testing.T, c snapshot.Clients, out *bytes.Buffer, recheck func(context.Context) (fixes.Recheck, error)) *fixes.Applier {
	return &fixes.Applier{
		Dynamic: c.Dynamic, Reviews: c.Kube.AuthorizationV1().SelfSubjectAccessReviews(),
		Out: out, In: strings.NewReader(""), DryRun: fixes.DryRunNone, Yes: true,
		JournalDir: t.TempDir(), Now: time.Now, Recheck: recheck,
	}
}

// Guard 3: the object changes between diagnosis and write; the action
// stops with a conflict naming it, and the other writer's change survives.
func TestFixConflictKeepsTheOtherWriter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "project-typo", "fix-conflict")
	ns := sc.Namespace()
	c := realClients(t)
	plan, _ := fixes.Select(appFindings(ctx, t, c, ns, "guestbook"), []string{"set-project"})
	if len(plan.Steps) != 1 {
		t.Fatalf("want one set-project step, got %+v", plan.Steps)
	}
	// Another writer fixes the typo their own way meanwhile.
	if _, err := c.Dynamic.Resource(applicationsGVR).Namespace(ns).Patch(ctx, "guestbook", types.MergePatchType,
		[]byte(`{"spec":{"project":"someone-elses"}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	a := guardedApplier(t, c, &out, func(ctx context.Context) (fixes.Recheck, error) {
		return fixes.NewRecheck(appFindings(ctx, t, c, ns, "guestbook")), nil
	})
	res, err := a.Apply(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	if res.Conflicts != 1 || res.Applied != 0 || res.Clean() {
		t.Errorf("result %+v, want one conflict and nothing applied\n%s", res, out.String())
	}
	if !strings.Contains(out.String(), "Application.argoproj.io "+ns+"/guestbook changed since it was diagnosed") {
		t.Errorf("the conflict does not name the object:\n%s", out.String())
	}
	if p, _ := projectOf(ctx, t, ns, "guestbook"); p != "someone-elses" {
		t.Errorf("the other writer's project was overwritten: %q", p)
	}
}

// Guard 4: the finding is resolved before the fix runs: "already
// resolved", skipped, nothing refused.
func TestFixAlreadyResolved(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "project-missing", "fix-already-resolved")
	ns := sc.Namespace()
	c := realClients(t)
	plan, _ := fixes.Select(appFindings(ctx, t, c, ns, "payments-api"), []string{"create-project"})
	if len(plan.Steps) != 1 {
		t.Fatalf("want one create-project step, got %+v", plan.Steps)
	}
	project := map[string]any{"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
		"metadata": map[string]any{"name": "payments", "namespace": ns}, "spec": map[string]any{}}
	if _, err := c.Dynamic.Resource(appProjectsGVR).Namespace(ns).Create(ctx, unstructuredOf(project), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	a := guardedApplier(t, c, &out, func(ctx context.Context) (fixes.Recheck, error) {
		return fixes.NewRecheck(appFindings(ctx, t, c, ns, "payments-api")), nil
	})
	res, err := a.Apply(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resolved != 1 || res.Applied != 0 || !res.Clean() {
		t.Errorf("result %+v, want one already resolved\n%s", res, out.String())
	}
	if !strings.Contains(out.String(), "Already resolved, skipped: create-project") {
		t.Errorf("output does not say already resolved:\n%s", out.String())
	}
}

// Guard 5: undo restores a changed ConfigMap (the shape of the argocd-cm
// fixes), path by path: a key someone else changed afterwards is kept.
func TestUndoRestoresAConfigMap(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const ns = "fix-undo-configmap"
	c := realClients(t)
	if _, err := c.Kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "argocd-cm", Namespace: ns}, Data: map[string]string{"timeout.reconciliation": "180s"}}
	if _, err := c.Kube.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ref := argofixreport.ObjectRef{Kind: "ConfigMap", Namespace: ns, Name: "argocd-cm"}
	action := argofixreport.JSONPatchAction(configMapsGVR, ref, []map[string]any{
		{"op": "test", "path": "/data/timeout.reconciliation", "value": "180s"},
		{"op": "replace", "path": "/data/timeout.reconciliation", "value": "60s"},
		{"op": "add", "path": "/data/resource.customizations.health.networking.k8s.io_Ingress", "value": "hs = {}\nhs.status = \"Healthy\"\nreturn hs\n"},
	})
	plan := fixes.Plan{Steps: []fixes.Step{{FindingID: "test", Object: ref, Fix: argofixreport.NewFix("health-override", "medium", "test change", action)}}}
	var out bytes.Buffer
	a := guardedApplier(t, c, &out, nil)
	res, err := a.Apply(ctx, plan)
	if err != nil || res.Applied != 1 {
		t.Fatalf("apply: %+v %v\n%s", res, err, out.String())
	}
	// Someone else changes another key afterwards.
	if _, err := c.Kube.CoreV1().ConfigMaps(ns).Patch(ctx, "argocd-cm", types.MergePatchType, []byte(`{"data":{"url":"https://argocd.example.com"}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	journal, err := fixes.LoadJournal(res.Journal)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	undo := fixes.UndoPlan(journal, &out)
	a = guardedApplier(t, c, &out, nil)
	if res, err := a.Apply(ctx, undo); err != nil || res.Applied != 1 || !res.Clean() {
		t.Fatalf("undo: %+v %v\n%s", res, err, out.String())
	}
	got, err := c.Kube.CoreV1().ConfigMaps(ns).Get(ctx, "argocd-cm", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"timeout.reconciliation": "180s", "url": "https://argocd.example.com"}
	if len(got.Data) != len(want) || got.Data["timeout.reconciliation"] != "180s" || got.Data["url"] != want["url"] {
		t.Errorf("after undo data = %v, want %v", got.Data, want)
	}
}

// --only with a typo is bad input naming the closest fix, and a fix that
// no finding proposes is said, with what the findings do propose.
func TestFixOnlyNamesKnownFixes(t *testing.T) {
	_, sc := appliedScenario(t, "project-missing")
	ns := sc.Namespace()
	res := runPlugin(t, fixArgs(ns, "fix", "app", "payments-api", "--only", "creat-project", "--dry-run")...)
	wantExit(t, res, 2, `no fix is called "creat-project" (did you mean create-project?)`)
	res = runPlugin(t, fixArgs(ns, "fix", "app", "payments-api", "--only", "remove-finalizers", "--dry-run")...)
	wantExit(t, res, 0)
	wantStdout(t, res, "No finding proposes remove-finalizers; the findings propose: create-project", "Nothing to fix.")
}
