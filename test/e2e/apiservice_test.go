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
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
)

// TestUnavailableAPIServiceIsAFinding registers an aggregated API whose
// Service does not exist, on a control plane of its own (it would disturb
// discovery for every other test), and deletes a namespace. Discovery of
// that group fails; the plugin must report it as the reason the namespace
// cannot finish, not crash on it.
func TestUnavailableAPIServiceIsAFinding(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cp := startBarePlane(ctx, t, true)
	dyn := dynamic.NewForConfigOrDie(cp.RESTConfig())
	apiService := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
		"metadata": map[string]any{"name": "v1beta1.metrics.k8s.io"},
		"spec": map[string]any{
			"group": "metrics.k8s.io", "version": "v1beta1",
			"service":               map[string]any{"namespace": "kube-system", "name": "metrics-server"},
			"insecureSkipTLSVerify": true, "groupPriorityMinimum": int64(100), "versionPriority": int64(100),
		},
	}}
	apiServices := dyn.Resource(schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"})
	if _, err := apiServices.Create(ctx, apiService, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kube, err := cp.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	// Wait until discovery really fails for the group, as on a real cluster.
	disco := discovery.NewDiscoveryClientForConfigOrDie(cp.RESTConfig())
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := disco.ServerPreferredNamespacedResources()
		if discovery.IsGroupDiscoveryFailedError(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("discovery of metrics.k8s.io never failed (err %v)", err)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	const ns = "team-metrics"
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	res := runPlugin(t, "--kubeconfig", cp.AdminKubeconfig, "--argocd-namespace", "argocd",
		"diagnose", "namespace", ns, "--stuck-after=0s", "-o", "json")
	rep, err := decodeReport(res.stdout)
	if err != nil {
		t.Fatalf("%v\n%s", err, res)
	}
	if res.code != 1 || !rep.ids()["namespace-terminating"] {
		t.Fatalf("want namespace-terminating and exit 1\n%s", res)
	}
	for _, want := range []string{"APIService v1beta1.metrics.k8s.io is unavailable", "kubectl delete apiservices.apiregistration.k8s.io v1beta1.metrics.k8s.io"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("report does not mention %q\n%s", want, res)
		}
	}
}
