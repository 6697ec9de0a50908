package e2e

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

// TestDiagnoseAppSetUnknown: a misspelt ApplicationSet is bad input (2),
// and the message offers the close name, as for Applications.
func TestDiagnoseAppSetUnknown(t *testing.T) {
	_, sc := appliedScenario(t, "appset-error-occurred")
	res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", sc.Namespace(),
		"diagnose", "appset", "cluster-adons", "-n", sc.Namespace(), "-o", "json")
	wantExit(t, res, 2, `ApplicationSet "cluster-adons" not found in namespace "`+sc.Namespace()+`"`, "did you mean cluster-addons?")
}

// TestDiagnoseAppSetLinksChildren: a stuck ApplicationSet deletion names
// its child Application and the child's own findings.
func TestDiagnoseAppSetLinksChildren(t *testing.T) {
	_, sc := appliedScenario(t, "appset-deletion-held")
	ns := sc.Namespace()
	res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", ns,
		"diagnose", "appset", "tenant-addons", "-n", ns, "--stuck-after=0s", "-o", "json")
	if res.code != 1 {
		t.Fatalf("exit status %d, want 1\n%s", res.code, res)
	}
	rep, err := decodeReport(res.stdout)
	if err != nil {
		t.Fatalf("%v\n%s", err, res)
	}
	for _, f := range rep.Findings {
		if f.ID != "applicationset-error" {
			continue
		}
		text := f.Summary + "\n" + strings.Join(f.Evidence, "\n")
		for _, want := range []string{
			"held by resources-finalizer.argocd.argoproj.io",
			"child Application " + ns + "/addons-billing: deleting since",
			"project-missing", "app-deletion-stuck",
			"before v3.2 nothing removes it",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("applicationset-error lacks %q:\n%s", want, text)
			}
		}
		return
	}
	t.Errorf("no applicationset-error finding\n%s", res)
}

// TestDiagnoseAppOwnerSet: diagnose app reports the ApplicationSet that
// owns the app (and no other); a user who may not list ApplicationSets
// still gets the report, with only applicationset-error skipped.
func TestDiagnoseAppOwnerSet(t *testing.T) {
	ctx, sc := appliedScenario(t, "appset-error-occurred")
	ns := sc.Namespace()
	res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", ns,
		"diagnose", "app", "addons-metrics", "-n", ns, "-o", "json")
	rep, err := decodeReport(res.stdout)
	if err != nil {
		t.Fatalf("%v\n%s", err, res)
	}
	var sets []string
	for _, f := range rep.Findings {
		if f.ID == "applicationset-error" {
			sets = append(sets, f.Object.Name)
		}
	}
	if res.code != 1 || !reflect.DeepEqual(sets, []string{"cluster-addons"}) {
		t.Errorf("exit %d, applicationset-error on %v; want 1 and [cluster-addons]\n%s", res.code, sets, res)
	}

	grant(ctx, t, ns, "argofix-no-appsets", []rbacv1.PolicyRule{
		{APIGroups: []string{"argoproj.io"}, Resources: []string{"applications", "appprojects"}, Verbs: []string{"get", "list"}},
		{APIGroups: []string{""}, Resources: []string{"configmaps", "secrets"}, Verbs: []string{"get", "list"}},
	})
	kubeconfig, err := suite.cp.KubeconfigFor(controlplane.UserReader)
	if err != nil {
		t.Fatal(err)
	}
	res = runPlugin(t, "--kubeconfig", kubeconfig, "--argocd-namespace", ns,
		"diagnose", "app", "addons-metrics", "-n", ns, "-o", "json")
	if res.code != 0 {
		t.Fatalf("exit status %d, want 0 (a healthy app, ApplicationSets unread)\n%s", res.code, res)
	}
	var partial struct {
		Incomplete []struct {
			Verb      string   `json:"verb"`
			Resource  string   `json:"resource"`
			Namespace string   `json:"namespace"`
			Skipped   []string `json:"skippedChecks"`
		} `json:"incomplete"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &partial); err != nil {
		t.Fatal(err)
	}
	for _, p := range partial.Incomplete {
		if p.Verb == "list" && p.Resource == "applicationsets.argoproj.io" {
			if p.Namespace != ns || !reflect.DeepEqual(p.Skipped, []string{"applicationset-error"}) {
				t.Errorf("refused list: %+v, want namespace %s and only applicationset-error skipped", p, ns)
			}
			return
		}
	}
	t.Errorf("report does not list the refused list of applicationsets\n%s", res)
}
