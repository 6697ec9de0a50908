package controlplane_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

func start(t *testing.T, ctx context.Context, bare bool) *controlplane.ControlPlane {
	t.Helper()
	began := time.Now()
	cp, err := controlplane.Start(ctx, controlplane.Options{Bare: bare, KeepOnFailure: t.Failed, Logf: t.Logf})
	if err != nil {
		t.Fatalf("starting control plane: %v", err)
	}
	t.Logf("start took %s", time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() {
		if err := cp.Stop(); err != nil {
			t.Errorf("stopping control plane: %v", err)
		}
	})
	return cp
}

var applicationGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}

// TestFullPlane proves the harness: Argo CD's seven components run under
// kwok, and the real kube-controller-manager leaves a namespace holding an
// Application with the resources finalizer Terminating with
// NamespaceFinalizersRemaining, then finishes once the finalizer is gone.
func TestFullPlane(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cp := start(t, ctx, false)

	began := time.Now()
	if err := cp.InstallArgoCD(ctx, "argocd"); err != nil {
		t.Fatalf("installing Argo CD: %v", err)
	}
	t.Logf("InstallArgoCD took %s", time.Since(began).Round(time.Millisecond))

	cs, err := cp.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range controlplane.ArgoCDComponents() {
		pods, err := cs.CoreV1().Pods("argocd").List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=" + c})
		if err != nil {
			t.Fatalf("listing %s pods: %v", c, err)
		}
		if len(pods.Items) == 0 || pods.Items[0].Status.Phase != corev1.PodRunning {
			t.Errorf("component %s: no Running pod", c)
		}
	}

	dyn, err := dynamic.NewForConfig(cp.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	const ns = "stuck"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	app := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "Application",
		"metadata": map[string]any{
			"name":       "held",
			"finalizers": []any{"resources-finalizer.argocd.argoproj.io"},
		},
		"spec": map[string]any{
			"project":     "default",
			"source":      map[string]any{"repoURL": "https://git.example.com/platform/deploy.git", "path": "guestbook", "targetRevision": "main"},
			"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
		},
	}}
	if _, err := dyn.Resource(applicationGVR).Namespace(ns).Create(ctx, app, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating Application: %v", err)
	}
	if err := cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deleted := time.Now()
	var last *corev1.Namespace
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		n, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = n
		if n.Status.Phase != corev1.NamespaceTerminating {
			return false, nil
		}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NamespaceFinalizersRemaining && c.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("namespace never reported NamespaceFinalizersRemaining: %v; last status %+v", err, last.Status)
	}

	t.Logf("namespace reported NamespaceFinalizersRemaining after %s", time.Since(deleted).Round(time.Millisecond))

	// Removing the finalizer lets the namespace controller finish.
	patch := []byte(`[{"op":"test","path":"/metadata/finalizers","value":["resources-finalizer.argocd.argoproj.io"]},{"op":"remove","path":"/metadata/finalizers"}]`)
	if _, err := dyn.Resource(applicationGVR).Namespace(ns).Patch(ctx, "held", "application/json-patch+json", patch, metav1.PatchOptions{}); err != nil {
		t.Fatalf("removing finalizer: %v", err)
	}
	freed := time.Now()
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
	if err != nil {
		t.Fatalf("namespace not deleted after removing the finalizer: %v", err)
	}
	t.Logf("namespace gone %s after the finalizer was removed", time.Since(freed).Round(time.Millisecond))

	checkUsers(t, ctx, cp)
}

// checkUsers proves the reader is forbidden and the invalid token rejected.
func checkUsers(t *testing.T, ctx context.Context, cp *controlplane.ControlPlane) {
	t.Helper()
	for user, want := range map[string]func(error) bool{
		controlplane.UserAdmin:   func(err error) bool { return err == nil },
		controlplane.UserReader:  apierrors.IsForbidden,
		controlplane.UserInvalid: apierrors.IsUnauthorized,
	} {
		path, err := cp.KubeconfigFor(user)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := clientcmd.LoadFromFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(raw.CurrentContext, controlplane.ContextName) {
			t.Errorf("%s: context %q, want prefix %q", user, raw.CurrentContext, controlplane.ContextName)
		}
		cfg, err := clientcmd.BuildConfigFromFlags("", path)
		if err != nil {
			t.Fatal(err)
		}
		dyn, err := dynamic.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = dyn.Resource(applicationGVR).Namespace("argocd").List(ctx, metav1.ListOptions{})
		if !want(err) {
			t.Errorf("user %s listing applications: unexpected result %v", user, err)
		}
	}
}

// TestBarePlane: etcd and apiserver only, no Argo CD CRDs.
func TestBarePlane(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cp := start(t, ctx, true)
	cs, err := kubernetes.NewForConfig(cp.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Discovery().ServerResourcesForGroupVersion("argoproj.io/v1alpha1"); !apierrors.IsNotFound(err) {
		t.Errorf("argoproj.io served on a bare plane (err %v)", err)
	}
	if _, err := cs.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{}); err != nil {
		t.Errorf("bare plane not serving: %v", err)
	}
}
