package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Two Argo CD installations in one cluster (test/scenarios/two-instances):
// without --argocd-namespace, each app is judged against the installation
// that watches its namespace, and a fix writes to that installation.
func TestTwoArgoCDInstallations(t *testing.T) {
	_, sc := appliedScenario(t, "two-instances")
	first, second := sc.Namespace(), sc.Namespace()+"-b"
	watched, loose := second+"-apps", sc.Namespace()+"-loose"
	kubeconfig := suite.cp.AdminKubeconfig

	t.Run("diagnose -A", func(t *testing.T) {
		res := runPlugin(t, "--kubeconfig", kubeconfig, "diagnose", "-A", "-o", "json")
		rep := decodeOrFail(t, res)
		seen := map[string]bool{}
		for _, f := range rep.Findings {
			key := f.ID + " " + f.Object.Kind + " " + f.Object.Namespace + "/" + f.Object.Name
			if seen[key] {
				t.Errorf("%s reported twice: each installation's view judged it", key)
			}
			seen[key] = true
		}
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

// Refused reads across namespaces never give a quiet wrong answer: the
// projects of each installation are then read in its own namespace, and
// without the right to look for installations at all the report says so
// and calls no app unwatched.
func TestInstallationsWithLimitedRights(t *testing.T) {
	ctx, sc := appliedScenario(t, "two-instances")
	first, second := sc.Namespace(), sc.Namespace()+"-b"
	perNamespace := []rbacv1.PolicyRule{
		{APIGroups: []string{"argoproj.io"}, Resources: []string{"appprojects"}, Verbs: []string{"get", "list"}},
		{APIGroups: []string{""}, Resources: []string{"configmaps", "secrets", "pods"}, Verbs: []string{"get", "list"}},
	}
	apps := rbacv1.PolicyRule{APIGroups: []string{"argoproj.io"}, Resources: []string{"applications"}, Verbs: []string{"get", "list"}}

	t.Run("projects per namespace", func(t *testing.T) {
		user := "installations-per-namespace"
		grantUser(ctx, t, "", user, []rbacv1.PolicyRule{apps,
			{APIGroups: []string{""}, Resources: []string{"configmaps", "pods"}, Verbs: []string{"list"}}})
		for _, ns := range []string{first, second} {
			grantUser(ctx, t, ns, user, perNamespace)
		}
		res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--as", user, "diagnose", "apps", "-A", "-o", "json")
		rep := decodeOrFail(t, res)
		if _, ok := rep.finding("project-missing", second, "payments"); ok {
			t.Errorf("payments' project, readable in %s, was not found\n%s", second, res)
		}
		if _, ok := rep.finding("project-missing", second, "ledger"); !ok {
			t.Errorf("want project-missing for ledger\n%s", res)
		}
	})

	t.Run("installations not found", func(t *testing.T) {
		user := "installations-unknown"
		grantUser(ctx, t, "", user, []rbacv1.PolicyRule{apps})
		for _, ns := range []string{first, second} {
			grantUser(ctx, t, ns, user, perNamespace)
		}
		res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--as", user, "diagnose", "apps", "-A", "-o", "json")
		if rep := decodeOrFail(t, res); rep.ids()["app-unwatched"] {
			t.Errorf("without the installations, no app may be called unwatched\n%s", res)
		}
		var partial struct {
			Incomplete []incompleteEntry `json:"incomplete"`
		}
		if err := json.Unmarshal([]byte(res.stdout), &partial); err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(partial.Incomplete, func(p incompleteEntry) bool {
			return p.Resource == "configmaps and pods (Argo CD installations)" && slices.Contains(p.Skipped, "app-unwatched")
		}) {
			t.Errorf("the report does not say the installations could not be looked for\n%s", res)
		}
	})
}

// incompleteEntry is one of a report's incomplete reads.
type incompleteEntry struct {
	Resource string   `json:"resource"`
	Skipped  []string `json:"skippedChecks"`
}

// grantUser gives user a Role of rules in ns, or a ClusterRole when ns is "".
func grantUser(ctx context.Context, t *testing.T, ns, user string, rules []rbacv1.PolicyRule) {
	t.Helper()
	kube, err := suite.cp.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	subjects := []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}}
	if ns == "" {
		if _, err := kube.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: user}, Rules: rules}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: user},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: user}, Subjects: subjects}
		if _, err := kube.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		return
	}
	if _, err := kube.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: user, Namespace: ns}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: user, Namespace: ns},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: user}, Subjects: subjects}
	if _, err := kube.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}
