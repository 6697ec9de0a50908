package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"

	"github.com/argofix/kubectl-argofix/test/controlplane"
	"github.com/argofix/kubectl-argofix/test/scenario"
)

// Resources the fix tests read back.
var (
	applicationsGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}
	appProjectsGVR  = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "appprojects"}
	namespacesGVR   = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	deploymentsGVR  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	secretsGVR      = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	configMapsGVR   = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// freshScenario applies a copy of a scenario under a new name, so that a
// test that changes the cluster has a state of its own: every occurrence
// of the scenario's name in its objects (its namespace, namespaces and
// nodes named after it) is renamed too.
func freshScenario(ctx context.Context, t *testing.T, name, newName string) scenario.Scenario {
	t.Helper()
	root := t.TempDir()
	for _, dir := range []string{scenario.BaseDir, name} {
		src := filepath.Join(suite.scenariosDir(), dir)
		dst := filepath.Join(root, dir)
		if dir == name {
			dst = filepath.Join(root, newName)
		}
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{scenario.ObjectsFile, scenario.SpecFile} {
			data, err := os.ReadFile(filepath.Join(src, f))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, f), []byte(strings.ReplaceAll(string(data), name, newName)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	sc, err := scenario.ApplyWith(ctx, suite.cp.RESTConfig(), filepath.Join(root, newName), suite.cp.InstallArgoCD)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// dynamicClient is an admin client of the suite's control plane.
func dynamicClient(t *testing.T) dynamic.Interface {
	t.Helper()
	a, err := controlplane.NewApplier(suite.cp.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return a.Dynamic()
}

// getObject reads an object; nil when it does not exist.
func getObject(ctx context.Context, t *testing.T, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	ri := dynamicClient(t).Resource(gvr)
	var obj *unstructured.Unstructured
	var err error
	if ns == "" {
		obj, err = ri.Get(ctx, name, metav1.GetOptions{})
	} else {
		obj, err = ri.Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	}
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			return nil
		}
		t.Fatal(err)
	}
	return obj
}

// waitGone waits until an object no longer exists.
func waitGone(ctx context.Context, t *testing.T, gvr schema.GroupVersionResource, ns, name string, timeout time.Duration) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		return getObject(ctx, t, gvr, ns, name) == nil, nil
	})
	if err != nil {
		t.Fatalf("%s %s/%s still exists after %s", gvr.Resource, ns, name, timeout)
	}
}

// fixArgs are the arguments every fix test passes first.
func fixArgs(ns string, args ...string) []string {
	return append([]string{"--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", ns}, args...)
}

// journalIn returns the only journal file written in dir.
func journalIn(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "fix-*.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("want one journal in %s, found %v (%v)", dir, files, err)
	}
	return files[0]
}

func wantStdout(t *testing.T, res result, substrings ...string) {
	t.Helper()
	for _, s := range substrings {
		if !strings.Contains(res.stdout, s) {
			t.Errorf("stdout does not contain %q\n%s", s, res)
		}
	}
}

func unstructuredOf(obj map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: obj}
}

// grant gives the reader user (no rights by default) a Role of rules in ns.
func grant(ctx context.Context, t *testing.T, ns, name string, rules []rbacv1.PolicyRule) {
	t.Helper()
	kube, err := suite.cp.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kube.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: controlplane.UserReader}},
	}
	if _, err := kube.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}
