package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

// Without any kubeconfig the plugin says so, instead of trying
// localhost:8080 under a context called "(none)".
func TestNoKubeconfig(t *testing.T) {
	needPlugin(t)
	cmd := exec.Command(suite.plugin, "diagnose", "-A")
	cmd.Env = append(os.Environ(), "KUBECONFIG=/nonexistent", "HOME="+t.TempDir(), "KUBERNETES_SERVICE_HOST=")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 || !strings.Contains(string(out), "no kubeconfig found") || strings.Contains(string(out), "localhost:8080") {
		t.Errorf("want exit 3 saying no kubeconfig found, got %v:\n%s", err, out)
	}
}

// explain prints a finding's page from the binary itself; --version and
// version agree.
func TestExplainAndVersion(t *testing.T) {
	needPlugin(t)
	res := runPlugin(t, "explain", "namespace-terminating")
	wantExit(t, res, 0)
	wantStdout(t, res, "# namespace-terminating")
	res = runPlugin(t, "explain", "namespace-terminatin")
	wantExit(t, res, 2, "did you mean namespace-terminating?")
	version := runPlugin(t, "version")
	flag := runPlugin(t, "--version")
	if version.code != 0 || flag.code != 0 || version.stdout != flag.stdout || !strings.HasPrefix(version.stdout, "kubectl-argofix ") {
		t.Errorf("version and --version differ:\n%s\n%s", version, flag)
	}
}

// A selection that matches nothing is said to, never "No problems found";
// a namespace that does not exist is bad input.
func TestNothingMatched(t *testing.T) {
	_, sc := appliedScenario(t, "healthy")
	ns := sc.Namespace()
	res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", ns, "diagnose", "apps", "-n", ns, "-l", "team=nobody")
	wantExit(t, res, 0, "No Application in namespace "+ns+" matches -l team=nobody")
	if strings.Contains(res.stdout, "No problems found") {
		t.Errorf("an empty selection reads as an all-clear:\n%s", res)
	}
	res = runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", ns, "diagnose", "apps", "-n", "no-such-namespace")
	wantExit(t, res, 2, `namespace "no-such-namespace" not found`)
	res = runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", ns, "diagnose", "namespace", ns)
	wantExit(t, res, 0)
	wantStdout(t, res, "Namespace "+ns+" is Active, not Terminating: nothing holds it.")
}

// A deletion the user names is explained even before --stuck-after, at
// info severity and without fixes.
func TestNamedDeletionBelowStuckAfter(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "app-deletion-stuck-held", "named-young-deletion")
	ns := sc.Namespace()
	res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", ns, "diagnose", "app", "web", "-n", ns)
	wantExit(t, res, 0)
	wantStdout(t, res, "INFO", "app-deletion-stuck", "deleting for", "not yet past --stuck-after (5m0s)", "example.com/hold")
}

// -o name lists one finding a line; a partial report leads with what
// could not be read, and --fail-on-incomplete fails it.
func TestNameOutputAndIncomplete(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "healthy", "cli-incomplete")
	ns := sc.Namespace()
	grant(ctx, t, ns, "argofix-no-secrets", []rbacv1.PolicyRule{
		{APIGroups: []string{"argoproj.io"}, Resources: []string{"applications", "appprojects"}, Verbs: []string{"get", "list"}},
		{APIGroups: []string{""}, Resources: []string{"configmaps", "pods", "namespaces"}, Verbs: []string{"get", "list"}},
	})
	kubeconfig, err := suite.cp.KubeconfigFor(controlplane.UserReader)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--kubeconfig", kubeconfig, "--argocd-namespace", ns, "diagnose", "apps", "-n", ns}
	res := runPlugin(t, args...)
	if res.code != 0 || !strings.HasPrefix(res.stdout, "Incomplete: ") ||
		!strings.Contains(res.stdout, "Incomplete: could not list secrets in namespace "+ns+" (checks not run: destination-missing") ||
		!strings.Contains(res.stdout, "No problems found in what could be read.") {
		t.Errorf("a partial report must lead with what was not read:\n%s", res)
	}
	res = runPlugin(t, append(args, "--fail-on-incomplete")...)
	wantExit(t, res, 1)

	typo := freshScenario(ctx, t, "project-typo", "project-typo-name")
	res = runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", typo.Namespace(), "diagnose", "app", "guestbook", "-n", typo.Namespace(), "-o", "name")
	wantExit(t, res, 1)
	if res.stdout != "project-missing/app/"+typo.Namespace()+"/guestbook\n" {
		t.Errorf("-o name printed %q", res.stdout)
	}
}

// An --argocd-namespace without Argo CD is refused, naming where Argo CD
// is, instead of calling every project missing there.
func TestArgoCDNamespaceIsChecked(t *testing.T) {
	needPlugin(t)
	res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", "default", "diagnose", "app", "guestbook", "-n", "default")
	wantExit(t, res, 3, "no Argo CD installation in namespace default", "found: ", argoNamespace)
	res = runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", "default", "fix", "app", "guestbook", "-n", "default", "--dry-run")
	wantExit(t, res, 3, "no Argo CD installation in namespace default")
}

// Without -n, an app is found wherever it lives, and judged against the
// Argo CD of its own namespace; a name in several namespaces asks for -n.
func TestAppFoundWithoutNamespace(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "project-missing", "locate-app")
	ns := sc.Namespace()
	apps := dynamicClient(t).Resource(applicationsGVR).Namespace(ns)
	app, err := apps.Get(ctx, "payments-api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	app.SetName("payments-api-located")
	app.SetResourceVersion("")
	app.SetUID("")
	if _, err := apps.Create(ctx, app, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "diagnose", "app", "payments-api-located", "-o", "json")
	wantExit(t, res, 1)
	wantStdout(t, res, `"id": "project-missing"`, `"namespace": "`+ns+`"`)
	if !strings.Contains(res.stdout, `"instances": [`) || !strings.Contains(res.stdout, `"namespace": "`+ns+`"`+"\n    }\n  ]") {
		t.Errorf("the report is not judged against the app's own Argo CD (%s):\n%s", ns, res)
	}

	// The same name in a second namespace: which one is meant?
	other := freshScenario(ctx, t, "project-missing", "locate-app-again").Namespace()
	app.SetNamespace(other)
	if _, err := dynamicClient(t).Resource(applicationsGVR).Namespace(other).Create(ctx, app, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	res = runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "diagnose", "app", "payments-api-located")
	wantExit(t, res, 2, `Applications called "payments-api-located" exist in namespaces `+ns+", "+other+": say which with -n")
}
