package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
)

// TestCRDTerminating half-uninstalls Argo CD on a control plane of its own
// (deleting a CRD would break every other scenario): the Application CRD is
// deleted while an Application still carries its resources finalizer, so
// the API server's CRD finalizer cannot remove the instances and the CRD
// hangs Terminating. The plugin must name it and the instance holding it.
func TestCRDTerminating(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cp := startBarePlane(ctx, t, true)
	kube, err := cp.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "argocd"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dyn := dynamic.NewForConfigOrDie(cp.RESTConfig())
	apps := dyn.Resource(schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}).Namespace("argocd")
	app := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
		"metadata": map[string]any{"name": "guestbook", "finalizers": []any{"resources-finalizer.argocd.argoproj.io"}},
		"spec": map[string]any{
			"project":     "default",
			"source":      map[string]any{"repoURL": "https://git.example.com/apps.git", "path": "guestbook"},
			"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
		},
	}}
	if _, err := apps.Create(ctx, app, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	crds := dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	if err := crds.Delete(ctx, "applications.argoproj.io", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// The CRD finalizer deletes the instances; ours stays held by its finalizer.
	if err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		got, err := apps.Get(ctx, "guestbook", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return got.GetDeletionTimestamp() != nil, nil
	}); err != nil {
		t.Fatalf("the Application was never marked for deletion: %v", err)
	}

	res := runPlugin(t, "--kubeconfig", cp.AdminKubeconfig, "--argocd-namespace", "argocd",
		"diagnose", "-A", "--stuck-after=0s", "-o", "json")
	rep, err := decodeReport(res.stdout)
	if err != nil {
		t.Fatalf("%v\n%s", err, res)
	}
	if res.code != 1 || !rep.ids()["crd-terminating"] {
		t.Fatalf("want crd-terminating and exit 1\n%s", res)
	}
	for _, want := range []string{"applications.argoproj.io", "argocd/guestbook", "resources-finalizer.argocd.argoproj.io"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("report does not mention %q\n%s", want, res)
		}
	}
}
