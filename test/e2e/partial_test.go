package e2e

import (
	"encoding/json"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

// TestPartialPermissions: a user who may read Applications, AppProjects
// and ConfigMaps but not Secrets still gets a report: project-missing is
// found, and the report lists the refused read and the check it silenced.
func TestPartialPermissions(t *testing.T) {
	ctx, sc := appliedScenario(t, "project-missing")
	ns := sc.Namespace()
	grant(ctx, t, ns, "argofix-partial", []rbacv1.PolicyRule{
		{APIGroups: []string{"argoproj.io"}, Resources: []string{"applications", "appprojects"}, Verbs: []string{"get", "list"}},
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}},
	})
	kubeconfig, err := suite.cp.KubeconfigFor(controlplane.UserReader)
	if err != nil {
		t.Fatal(err)
	}
	res := runPlugin(t, "--kubeconfig", kubeconfig, "--argocd-namespace", ns,
		"diagnose", "app", "payments-api", "-n", ns, "-o", "json")
	if res.code != 1 {
		t.Fatalf("exit status %d, want 1 (findings despite missing rights)\n%s", res.code, res)
	}
	rep, err := decodeReport(res.stdout)
	if err != nil {
		t.Fatalf("%v\n%s", err, res)
	}
	if !rep.ids()["project-missing"] {
		t.Errorf("project-missing not reported\n%s", res)
	}
	var partial struct {
		Incomplete []struct {
			Verb     string   `json:"verb"`
			Resource string   `json:"resource"`
			Skipped  []string `json:"skippedChecks"`
		} `json:"incomplete"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &partial); err != nil {
		t.Fatal(err)
	}
	for _, p := range partial.Incomplete {
		if p.Verb == "list" && p.Resource == "secrets" && slices.Contains(p.Skipped, "destination-missing") {
			return
		}
	}
	t.Errorf("report does not list the refused list of secrets and the skipped destination-missing check\n%s", res)
}
