package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

const (
	argoNS      = "argocd"
	namespaces  = 50
	projects    = 10
	seedWorkers = 24
)

// broken is the catalogue of seeded failures: app i is broken in way
// brokenKinds[i%50] when that index is set, so each way hits 2% of apps.
var brokenKinds = map[int]string{7: "project-missing", 17: "sync-failed", 27: "app-deletion-stuck"}

func appName(i int) string   { return fmt.Sprintf("app-%05d", i) }
func teamNS(i int) string    { return fmt.Sprintf("team-%02d", i%namespaces) }
func projectOf(i int) string { return fmt.Sprintf("proj-%d", i%projects) }

// expectedFinding is the finding id a seeded app must get, "" if healthy.
func expectedFinding(i int) string { return brokenKinds[i%50] }

var (
	gvrDeploy = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	gvrSvc    = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	gvrCM     = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	gvrNS     = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

func obj(m map[string]any) *unstructured.Unstructured { return &unstructured.Unstructured{Object: m} }

func create(ctx context.Context, r dynamic.ResourceInterface, o *unstructured.Unstructured) error {
	_, err := r.Create(ctx, o, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// seedBase creates the Argo CD namespace, the team namespaces and projects.
func seedBase(ctx context.Context, dyn dynamic.Interface) error {
	nss := []string{argoNS}
	for i := range namespaces {
		nss = append(nss, teamNS(i))
	}
	for _, ns := range nss {
		if err := create(ctx, dyn.Resource(gvrNS), obj(map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}})); err != nil {
			return err
		}
	}
	for i := range projects + 1 {
		name := fmt.Sprintf("proj-%d", i)
		if i == projects {
			name = "default"
		}
		p := obj(map[string]any{
			"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
			"metadata": map[string]any{"name": name, "namespace": argoNS},
			"spec": map[string]any{
				"sourceRepos":              []any{"*"},
				"destinations":             []any{map[string]any{"server": "*", "namespace": "*"}},
				"clusterResourceWhitelist": []any{map[string]any{"group": "*", "kind": "*"}},
			},
		})
		if err := create(ctx, dyn.Resource(argocd.AppProjectsResource).Namespace(argoNS), p); err != nil {
			return err
		}
	}
	return nil
}

// seedApps creates apps first..last-1 and the objects they manage, in
// parallel.
func seedApps(ctx context.Context, t testing.TB, dyn dynamic.Interface, first, last int) {
	t.Helper()
	began := time.Now()
	idx := make(chan int)
	errs := make(chan error, seedWorkers)
	var wg sync.WaitGroup
	for range seedWorkers {
		wg.Go(func() {
			for i := range idx {
				if err := seedApp(ctx, dyn, i); err != nil {
					select {
					case errs <- fmt.Errorf("seed %s: %w", appName(i), err):
					default:
					}
				}
			}
		})
	}
	for i := first; i < last; i++ {
		idx <- i
	}
	close(idx)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	t.Logf("seeded apps %d..%d in %s", first, last-1, time.Since(began).Round(time.Second))
}

func seedApp(ctx context.Context, dyn dynamic.Interface, i int) error {
	name, ns := appName(i), teamNS(i)
	labels := map[string]any{"app.kubernetes.io/instance": name}
	deploy := obj(map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": labels},
		"spec": map[string]any{
			"replicas": int64(0),
			"selector": map[string]any{"matchLabels": labels},
			"template": map[string]any{
				"metadata": map[string]any{"labels": labels},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": "nginx:1.27"}}},
			},
		},
	})
	svc := obj(map[string]any{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": labels},
		"spec":     map[string]any{"clusterIP": "None", "selector": labels, "ports": []any{map[string]any{"port": int64(80)}}},
	})
	cm := obj(map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": labels},
		"data":     map[string]any{"config.yaml": "replicas: 2\nlogLevel: info\n"},
	})
	for _, o := range []struct {
		gvr schema.GroupVersionResource
		u   *unstructured.Unstructured
	}{{gvrDeploy, deploy}, {gvrSvc, svc}, {gvrCM, cm}} {
		if err := create(ctx, dyn.Resource(o.gvr).Namespace(ns), o.u); err != nil {
			return err
		}
	}
	app := application(i)
	apps := dyn.Resource(argocd.ApplicationsResource).Namespace(argoNS)
	if err := create(ctx, apps, app); err != nil {
		return err
	}
	if expectedFinding(i) == "app-deletion-stuck" {
		if err := apps.Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// application is app i as the controller records it: synced, healthy, with
// an operation and history, unless it is one of the broken ones.
func application(i int) *unstructured.Unstructured {
	name, ns := appName(i), teamNS(i)
	now := time.Now().UTC()
	ts := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	rev := fmt.Sprintf("%040x", i+1)
	resources := []any{
		map[string]any{"version": "v1", "kind": "ConfigMap", "namespace": ns, "name": name, "status": "Synced"},
		map[string]any{"version": "v1", "kind": "Service", "namespace": ns, "name": name, "status": "Synced", "health": map[string]any{"status": "Healthy"}},
		map[string]any{"group": "apps", "version": "v1", "kind": "Deployment", "namespace": ns, "name": name, "status": "Synced", "health": map[string]any{"status": "Healthy"}},
	}
	var results []any
	for _, r := range resources {
		m := r.(map[string]any)
		group, _ := m["group"].(string)
		results = append(results, map[string]any{"group": group, "version": "v1", "kind": m["kind"], "namespace": ns, "name": name,
			"status": "Synced", "message": fmt.Sprintf("%s/%s configured", m["kind"], name), "hookPhase": "Running", "syncPhase": "Sync"})
	}
	source := map[string]any{"repoURL": "https://git.example.com/platform/apps.git", "path": "apps/" + name, "targetRevision": "HEAD"}
	var history []any
	for h := range 3 {
		history = append(history, map[string]any{"id": int64(h), "revision": rev, "deployedAt": ts(time.Duration(3-h) * time.Hour),
			"deployStartedAt": ts(time.Duration(3-h)*time.Hour + 5*time.Second), "source": source})
	}
	op := map[string]any{
		"operation":  map[string]any{"sync": map[string]any{"revision": rev}, "initiatedBy": map[string]any{"automated": true}},
		"phase":      "Succeeded",
		"message":    "successfully synced (all tasks run)",
		"startedAt":  ts(time.Hour + 5*time.Second),
		"finishedAt": ts(time.Hour),
		"syncResult": map[string]any{"revision": rev, "source": source, "resources": results},
	}
	var conditions []any
	project := projectOf(i)
	meta := map[string]any{"name": name, "namespace": argoNS, "labels": map[string]any{"team": ns, "tier": "web"}}
	switch expectedFinding(i) {
	case "project-missing":
		project = "proj-missing"
		conditions = append(conditions, map[string]any{"type": "InvalidSpecError", "message": "Application referencing project proj-missing which does not exist", "lastTransitionTime": ts(time.Hour)})
	case "sync-failed":
		op["phase"] = "Failed"
		op["message"] = "one or more objects failed to apply, reason: Deployment.apps \"" + name + "\" is invalid: spec.template.spec.containers[0].image: Required value"
		results[2].(map[string]any)["status"] = "SyncFailed"
		results[2].(map[string]any)["message"] = "Deployment.apps \"" + name + "\" is invalid: spec.template.spec.containers[0].image: Required value"
	case "app-deletion-stuck":
		meta["finalizers"] = []any{"resources-finalizer.argocd.argoproj.io"}
	}
	return obj(map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
		"metadata": meta,
		"spec": map[string]any{
			"project":     project,
			"source":      source,
			"destination": map[string]any{"server": argocd.InClusterServer, "namespace": ns},
			"syncPolicy":  map[string]any{"automated": map[string]any{"prune": true, "selfHeal": true}},
		},
		"status": map[string]any{
			"sync":                map[string]any{"status": "Synced", "revision": rev, "comparedTo": map[string]any{"source": source, "destination": map[string]any{"server": argocd.InClusterServer, "namespace": ns}}},
			"health":              map[string]any{"status": "Healthy"},
			"resources":           resources,
			"conditions":          conditions,
			"operationState":      op,
			"history":             history,
			"reconciledAt":        ts(time.Minute),
			"sourceType":          "Directory",
			"summary":             map[string]any{"images": []any{"nginx:1.27"}},
			"controllerNamespace": argoNS,
		},
	})
}
