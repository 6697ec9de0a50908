package controlplane

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
)

// ArgoCDModule and ArgoCDVersion name the Argo CD release whose CRDs and
// install.yaml are used; the same release runs as the real controller in
// test/argocd, so the schemas match what the controller writes.
const (
	ArgoCDModule  = "github.com/argoproj/argo-cd/v2"
	ArgoCDVersion = "v2.14.21"
)

// ArgoCDComponents are the app.kubernetes.io/name labels of the seven Argo
// CD workloads in install.yaml.
func ArgoCDComponents() []string {
	return []string{
		"argocd-application-controller",
		"argocd-applicationset-controller",
		"argocd-dex-server",
		"argocd-notifications-controller",
		"argocd-redis",
		"argocd-repo-server",
		"argocd-server",
	}
}

func argoCRDFiles() []string {
	// By name: manifests/crds also holds a kustomization.yaml that is no
	// Kubernetes object.
	return []string{"application-crd.yaml", "appproject-crd.yaml", "applicationset-crd.yaml"}
}

// ArgoCDManifestsDir is the manifests/ folder of the pinned Argo CD module.
func (cp *ControlPlane) ArgoCDManifestsDir(ctx context.Context) (string, error) {
	dir, err := ModuleDir(ctx, cp.repoRoot, ArgoCDModule, ArgoCDVersion)
	if err != nil {
		return "", fmt.Errorf("locating Argo CD manifests: %w", err)
	}
	return filepath.Join(dir, "manifests"), nil
}

// InstallCRDsOnly applies Argo CD's three CRDs and waits until the API
// serves applications, appprojects and applicationsets.
func (cp *ControlPlane) InstallCRDsOnly(ctx context.Context) error {
	manifests, err := cp.ArgoCDManifestsDir(ctx)
	if err != nil {
		return err
	}
	a, err := NewApplier(cp.RESTConfig())
	if err != nil {
		return err
	}
	for _, f := range argoCRDFiles() {
		objs, err := readManifest(filepath.Join(manifests, "crds", f))
		if err != nil {
			return err
		}
		if err := a.ApplyAll(ctx, objs, ""); err != nil {
			return fmt.Errorf("installing Argo CD CRDs: %w", err)
		}
	}
	return cp.waitArgoCDServed(ctx)
}

func (cp *ControlPlane) waitArgoCDServed(ctx context.Context) error {
	disco, err := discovery.NewDiscoveryClientForConfig(cp.RESTConfig())
	if err != nil {
		return fmt.Errorf("building discovery client: %w", err)
	}
	want := []string{"applications", "appprojects", "applicationsets"}
	var missing []string
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, cp.opts.StartTimeout, true, func(context.Context) (bool, error) {
		list, err := disco.ServerResourcesForGroupVersion("argoproj.io/v1alpha1")
		if err != nil {
			missing = want
			return false, nil //nolint:nilerr // not served yet: keep polling
		}
		have := map[string]bool{}
		for _, r := range list.APIResources {
			have[r.Name] = true
		}
		missing = missing[:0]
		for _, w := range want {
			if !have[w] {
				missing = append(missing, w)
			}
		}
		return len(missing) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("argoproj.io/v1alpha1 %s not served: %w", strings.Join(missing, ", "), err)
	}
	return nil
}

// InstallArgoCD installs Argo CD into namespace ns the way a cluster would
// have it: CRDs, install.yaml, and what argocd-server or an operator would
// normally add (argocd-secret's server.secretkey, the default AppProject,
// a short reconciliation timeout). Unless the plane is Bare it waits until
// the seven components have a Running pod under kwok.
func (cp *ControlPlane) InstallArgoCD(ctx context.Context, ns string) error {
	began := time.Now()
	if err := cp.InstallCRDsOnly(ctx); err != nil {
		return err
	}
	manifests, err := cp.ArgoCDManifestsDir(ctx)
	if err != nil {
		return err
	}
	// A fresh Applier: its mapper has never seen argoproj.io missing.
	a, err := NewApplier(cp.RESTConfig())
	if err != nil {
		return err
	}
	nsObj := &unstructured.Unstructured{}
	nsObj.SetAPIVersion("v1")
	nsObj.SetKind("Namespace")
	nsObj.SetName(ns)
	if _, err := a.Apply(ctx, nsObj, ""); err != nil {
		return err
	}
	objs, err := readManifest(filepath.Join(manifests, "install.yaml"))
	if err != nil {
		return err
	}
	for _, o := range objs {
		retargetSubjects(o, ns)
	}
	extras, err := argoCDExtras(ns)
	if err != nil {
		return err
	}
	// Configuration first, workloads last: a pod must not start before the
	// settings it reads at start exist (argocd-cm's timeout.reconciliation
	// is an env var of the controller), or the installation begins stale.
	var config, workloads []*unstructured.Unstructured
	for _, o := range objs {
		if k := o.GetKind(); k == "Deployment" || k == "StatefulSet" {
			workloads = append(workloads, o)
		} else {
			config = append(config, o)
		}
	}
	if err := a.ApplyAll(ctx, append(append(config, extras...), workloads...), ns); err != nil {
		return fmt.Errorf("installing Argo CD into %s: %w", ns, err)
	}
	if cp.opts.Bare {
		cp.opts.Logf("Argo CD objects installed into %s in %s (bare plane: no pods run)", ns, time.Since(began).Round(time.Millisecond))
		return nil
	}
	selectors := make([]string, 0, len(ArgoCDComponents()))
	for _, c := range ArgoCDComponents() {
		selectors = append(selectors, "app.kubernetes.io/name="+c)
	}
	if err := cp.WaitForPodsRunning(ctx, ns, selectors, 3*cp.opts.StartTimeout); err != nil {
		return fmt.Errorf("waiting for the Argo CD components: %w", err)
	}
	cp.opts.Logf("Argo CD %s installed into %s, components Running, in %s", ArgoCDVersion, ns, time.Since(began).Round(time.Millisecond))
	return nil
}

// DeleteNamespace deletes ns without waiting; ignoring NotFound.
func (cp *ControlPlane) DeleteNamespace(ctx context.Context, ns string) error {
	cs, err := cp.Clientset()
	if err != nil {
		return err
	}
	if err := cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting namespace %s: %w", ns, err)
	}
	return nil
}

func readManifest(path string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	objs, err := DecodeYAML(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return objs, nil
}

// retargetSubjects points install.yaml's ClusterRoleBindings, written for
// namespace argocd, at ns.
func retargetSubjects(o *unstructured.Unstructured, ns string) {
	if o.GetKind() != "ClusterRoleBinding" {
		return
	}
	subjects, ok := o.Object["subjects"].([]any)
	if !ok {
		return
	}
	for _, s := range subjects {
		if m, ok := s.(map[string]any); ok && m["namespace"] == "argocd" {
			m["namespace"] = ns
		}
	}
}

// argoCDExtras are the objects install.yaml leaves to argocd-server or the
// operator; without them the real controller refuses to start.
func argoCDExtras(ns string) ([]*unstructured.Unstructured, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generating server.secretkey: %w", err)
	}
	withName := func(name string) map[string]any {
		return map[string]any{"app.kubernetes.io/part-of": "argocd", "app.kubernetes.io/name": name}
	}
	objs := []map[string]any{
		{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "argocd-cm", "namespace": ns, "labels": withName("argocd-cm")},
			// Short reconciliation keeps tests with the real controller fast.
			"data": map[string]any{"timeout.reconciliation": "10s"},
		},
		{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "argocd-rbac-cm", "namespace": ns, "labels": withName("argocd-rbac-cm")},
		},
		{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "argocd-cmd-params-cm", "namespace": ns, "labels": withName("argocd-cmd-params-cm")},
		},
		{
			"apiVersion": "v1", "kind": "Secret",
			"metadata": map[string]any{"name": "argocd-secret", "namespace": ns, "labels": withName("argocd-secret")},
			"type":     "Opaque",
			"data":     map[string]any{"server.secretkey": base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString(key)))},
		},
		{
			"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
			"metadata": map[string]any{"name": "default", "namespace": ns},
			"spec": map[string]any{
				"sourceRepos":              []any{"*"},
				"destinations":             []any{map[string]any{"server": "*", "namespace": "*"}},
				"clusterResourceWhitelist": []any{map[string]any{"group": "*", "kind": "*"}},
			},
		},
	}
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		out = append(out, &unstructured.Unstructured{Object: o})
	}
	return out, nil
}

// ArgoCDGroupVersion is where Applications and AppProjects live.
func ArgoCDGroupVersion() schema.GroupVersion {
	return schema.GroupVersion{Group: "argoproj.io", Version: "v1alpha1"}
}
