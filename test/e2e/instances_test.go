package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// Two Argo CD installations in one cluster (test/scenarios/two-instances):
// without --argocd-namespace, each app is judged against the installation
// that watches its namespace, and a fix writes to that installation.
func TestTwoArgoCDInstallations(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sc, err := suite.applyScenario(ctx, "two-instances")
	if err != nil {
		t.Fatal(err)
	}
	first, second := sc.Namespace(), sc.Namespace()+"-b"
	watched, loose := second+"-apps", sc.Namespace()+"-loose"
	kubeconfig := suite.cp.AdminKubeconfig

	t.Run("diagnose -A", func(t *testing.T) {
		res := runPlugin(t, "--kubeconfig", kubeconfig, "diagnose", "-A", "-o", "json")
		rep := decodeOrFail(t, res)
		for _, ns := range []string{argoNamespace, first, second} {
			if !slices.Contains(rep.instanceNamespaces(), ns) {
				t.Errorf("instances %v do not name %s", rep.instanceNamespaces(), ns)
			}
		}
		for _, app := range [][2]string{{first, "web"}, {second, "payments"}, {watched, "billing"}} {
			for _, id := range []string{"project-missing", "app-unwatched"} {
				if f, ok := rep.finding(id, app[0], app[1]); ok {
					t.Errorf("%s/%s is judged by the wrong installation: %s %s", app[0], app[1], id, f.Summary)
				}
			}
		}
		if f, ok := rep.finding("project-missing", second, "ledger"); !ok {
			t.Errorf("ledger names a project of the other installation: want project-missing\n%s", res)
		} else if evidence := strings.Join(f.Evidence, "\n"); !strings.Contains(evidence, "payments") || strings.Contains(evidence, "storefront, ") {
			t.Errorf("project-missing of ledger should list %s's projects, not %s's:\n%s", second, first, evidence)
		}
		if f, ok := rep.finding("app-unwatched", loose, "stray"); !ok {
			t.Errorf("no installation watches %s: want app-unwatched\n%s", loose, res)
		} else if !strings.Contains(strings.Join(f.Evidence, "\n"), second) {
			t.Errorf("app-unwatched should name the other installations:\n%v", f.Evidence)
		}
	})

	t.Run("diagnose app without -n", func(t *testing.T) {
		res := runPlugin(t, "--kubeconfig", kubeconfig, "diagnose", "app", "billing", "-o", "json")
		wantExit(t, res, 0)
		rep := decodeOrFail(t, res)
		if got := rep.instanceNamespaces(); !slices.Equal(got, []string{second}) {
			t.Errorf("billing judged by %v, want [%s] (application.namespaces)", got, second)
		}
	})

	t.Run("diagnose apps -n", func(t *testing.T) {
		res := runPlugin(t, "--kubeconfig", kubeconfig, "diagnose", "apps", "-n", second, "-o", "json")
		rep := decodeOrFail(t, res)
		if got := rep.instanceNamespaces(); !slices.Equal(got, []string{second}) {
			t.Errorf("apps of %s judged by %v", second, got)
		}
		if _, ok := rep.finding("project-missing", second, "payments"); ok {
			t.Errorf("payments' project exists in %s\n%s", second, res)
		}
	})

	t.Run("the fix writes to the app's installation", func(t *testing.T) {
		res := runPlugin(t, "--kubeconfig", kubeconfig, "fix", "app", "ledger", "-n", second, "--only", "create-project", "--dry-run=server")
		wantExit(t, res, 0)
		wantStdout(t, res, "namespace: "+second, "AppProject.argoproj.io "+second+"/storefront: it would be created")
	})
}

func decodeOrFail(t *testing.T, res result) *report {
	t.Helper()
	rep, err := decodeReport(res.stdout)
	if err != nil {
		t.Fatalf("%v\n%s", err, res)
	}
	return rep
}
