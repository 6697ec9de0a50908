package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

var statefulSetsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}

// installDiagnosis runs a diagnose command on an installation and decodes it.
func installDiagnosis(t *testing.T, ns string, args ...string) (result, *report) {
	t.Helper()
	all := append([]string{"--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", ns, "diagnose"}, args...)
	res := runPlugin(t, append(all, "-o", "json")...)
	if res.code != 0 && res.code != 1 {
		t.Fatalf("diagnose failed\n%s", res)
	}
	rep, err := decodeReport(res.stdout)
	if err != nil {
		t.Fatalf("%v\n%s", err, res)
	}
	return res, rep
}

func findingsWithID(rep *report, id string) []finding {
	var out []finding
	for _, f := range rep.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

// TestHealthyInstallSecurityAndWholeCluster: the default install.yaml has
// no error-level security finding either (only the admin account without
// SSO, as info), and `diagnose -A` includes both audits.
func TestHealthyInstallSecurityAndWholeCluster(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc, err := suite.applyScenario(ctx, "healthy-install")
	if err != nil {
		t.Fatal(err)
	}
	res, rep := installDiagnosis(t, sc.Namespace(), "security")
	if res.code != 0 {
		t.Errorf("exit %d, want 0\n%s", res.code, res)
	}
	ids := rep.ids()
	if len(rep.Findings) != 1 || !ids["admin-enabled"] || rep.Findings[0].Severity != "info" {
		t.Errorf("want only admin-enabled (info) on a default install\n%s", res)
	}

	res, rep = installDiagnosis(t, sc.Namespace(), "-A")
	for _, id := range []string{"version-skew", "admin-enabled"} {
		if len(findingsWithID(rep, id)) == 0 {
			t.Errorf("diagnose -A does not include %s (install and security audits)\n%s", id, res)
		}
	}

	res, rep = installDiagnosis(t, sc.Namespace(), "install", "--ignore", "version-skew")
	if len(rep.Findings) != 0 || res.code != 0 {
		t.Errorf("--ignore version-skew: want no finding, exit 0\n%s", res)
	}
	if res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", sc.Namespace(), "diagnose", "install", "--ignore", "version-skwe"); res.code != 2 || !strings.Contains(res.stderr, "version-skew") {
		t.Errorf("a misspelt --ignore id must be bad input naming the closest id\n%s", res)
	}
}

// podStarts maps each pod of the namespace to its UID and start time.
func podStarts(ctx context.Context, t *testing.T, ns string) map[string]string {
	t.Helper()
	cs, err := suite.cp.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil {
			continue
		}
		out[p.Labels["app.kubernetes.io/name"]+"/"+p.Name] = string(p.UID) + "@" + startOf(&p)
	}
	return out
}

func startOf(p *corev1.Pod) string {
	if p.Status.StartTime == nil {
		return ""
	}
	return p.Status.StartTime.UTC().Format(time.RFC3339)
}

// TestFixInstallRestartsOnlyStale: argocd-cmd-params-cm's
// reposerver.parallelism.limit changed after the pods started; `fix
// install` restarts the repo-server alone, on the real control plane: the
// other components' pods keep their UIDs and start times.
func TestFixInstallRestartsOnlyStale(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "install-config-stale", "fix-install-stale")
	ns := sc.Namespace()
	defer func() { _ = suite.cp.DeleteNamespace(context.Background(), ns) }()

	res, rep := installDiagnosis(t, ns, "install")
	stale := findingsWithID(rep, "argocd-config-stale")
	if len(stale) != 1 || stale[0].Object.Name != "argocd-repo-server" {
		t.Fatalf("want argocd-config-stale on argocd-repo-server only\n%s", res)
	}
	if len(stale[0].Fixes) == 0 || !strings.Contains(stale[0].Fixes[0].Command, "fix install --only rollout-restart") {
		t.Errorf("the fix's command should be fix install --only rollout-restart\n%s", res)
	}
	before := podStarts(ctx, t, ns)

	dry := runPlugin(t, fixArgs(ns, "fix", "install", "--dry-run")...)
	if dry.code != 0 || strings.Count(dry.stdout, "rollout-restart") != 1 || !strings.Contains(dry.stdout, "deployments.apps argocd-repo-server") {
		t.Fatalf("dry run should plan one restart, of argocd-repo-server\n%s", dry)
	}
	journal := t.TempDir()
	fix := runPlugin(t, fixArgs(ns, "fix", "install", "--only", "rollout-restart", "--yes", "--journal-dir", journal)...)
	if fix.code != 0 {
		t.Fatalf("fix install failed\n%s", fix)
	}
	wantStdout(t, fix, "Applied: the patch of Deployment.apps "+ns+"/argocd-repo-server", "1 applied")
	journalIn(t, journal)

	// The repo-server rolls: wait until its pods are all new and the
	// finding is gone.
	var after map[string]string
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		after = podStarts(ctx, t, ns)
		for k := range after {
			if strings.HasPrefix(k, "argocd-repo-server/") && before[k] != "" {
				return false, nil // an old repo-server pod remains
			}
		}
		_, rep := installDiagnosis(t, ns, "install")
		return len(findingsWithID(rep, "argocd-config-stale")) == 0 && slices.ContainsFunc(keys(after), func(k string) bool {
			return strings.HasPrefix(k, "argocd-repo-server/")
		}), nil
	})
	if err != nil {
		t.Fatalf("the repo-server did not roll, or the finding stayed: before %v, after %v", before, after)
	}
	for _, c := range controlplane.ArgoCDComponents() {
		if c == "argocd-repo-server" {
			continue
		}
		for k, v := range before {
			if strings.HasPrefix(k, c+"/") && after[k] != v {
				t.Errorf("pod %s of %s changed (%s -> %q): only the repo-server may restart", k, c, v, after[k])
			}
		}
	}
	sts := getObject(ctx, t, statefulSetsGVR, ns, "argocd-application-controller")
	if ann, _, _ := unstructuredNestedMap(sts.Object, "spec", "template", "metadata", "annotations"); ann["kubectl.kubernetes.io/restartedAt"] != nil {
		t.Errorf("the controller's template was restarted too: %v", ann)
	}

	// An annotation on the object silences one id there: the controller
	// carries the Kubernetes skew finding.
	_, rep = installDiagnosis(t, ns, "install")
	if len(findingsWithID(rep, "version-skew")) == 0 {
		t.Fatal("version-skew expected on Kubernetes v1.37")
	}
	patch := []byte(`{"metadata":{"annotations":{"argofix.dev/ignore":"version-skew"}}}`)
	if _, err := dynamicClient(t).Resource(statefulSetsGVR).Namespace(ns).Patch(ctx, "argocd-application-controller", "application/merge-patch+json", patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	res, rep = installDiagnosis(t, ns, "install")
	for _, f := range findingsWithID(rep, "version-skew") {
		if f.Object.Name == "argocd-application-controller" {
			t.Errorf("annotation argofix.dev/ignore: version-skew did not silence it\n%s", res)
		}
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func unstructuredNestedMap(obj map[string]any, fields ...string) (map[string]any, bool, error) {
	cur := obj
	for _, f := range fields {
		next, ok := cur[f].(map[string]any)
		if !ok {
			return nil, false, nil
		}
		cur = next
	}
	return cur, true, nil
}

// Both fixes of the controller StatefulSet in one run: once
// set-controller-replicas has changed its pod template, the rollout
// restart of the same StatefulSet is not sent (its pods restart anyway)
// instead of conflicting with the plan's own write.
func TestFixInstallReplicasAndRestartTogether(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "install-misconfigured", "fix-install-both")
	ns := sc.Namespace()
	defer func() { _ = suite.cp.DeleteNamespace(context.Background(), ns) }()
	kube, err := suite.cp.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	// A controller setting changed after its pods started: the controller is stale too.
	patch := []byte(`{"data":{"controller.status.processors":"30"}}`)
	if _, err := kube.CoreV1().ConfigMaps(ns).Patch(ctx, "argocd-cmd-params-cm", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	res, rep := installDiagnosis(t, ns, "install")
	stale := findingsWithID(rep, "argocd-config-stale")
	if !slices.ContainsFunc(stale, func(f finding) bool { return f.Object.Name == "argocd-application-controller" }) ||
		len(findingsWithID(rep, "controller-replicas-mismatch")) != 1 {
		t.Fatalf("want the controller stale and its replicas mismatched\n%s", res)
	}
	fix := runPlugin(t, fixArgs(ns, "fix", "install", "--only", "set-controller-replicas,rollout-restart", "--yes", "--journal-dir", t.TempDir())...)
	wantExit(t, fix, 0)
	wantStdout(t, fix, "Not sent: the restart of StatefulSet.apps "+ns+"/argocd-application-controller: step 1. set-controller-replicas",
		"changed its pod template in this run, which restarts its pods", "1 applied, 1 already resolved, 0 conflicts")
}
