package diagnose

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// configDeployment reads ConfigMap settings through envFrom, Secret creds
// through env, and ConfigMap files (optional) through a volume.
func configDeployment(mutate ...func(*unstructured.Unstructured)) *unstructured.Unstructured {
	tmpl := map[string]any{
		"metadata": map[string]any{"labels": map[string]any{"app": "api"}},
		"spec": map[string]any{
			"containers": []any{map[string]any{"name": "api", "image": "api:1",
				"envFrom": []any{map[string]any{"configMapRef": map[string]any{"name": "settings"}}},
				"env":     []any{map[string]any{"name": "PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "creds", "key": "password"}}}},
			}},
			"volumes": []any{map[string]any{"name": "files", "configMap": map[string]any{"name": "files", "optional": true}}},
		},
	}
	return liveDeployment("api", 2, 2, append([]func(*unstructured.Unstructured){withSet([]string{"spec", "template"}, tmpl)}, mutate...)...)
}

func configObject(kind, name string, changed time.Duration, mutate ...func(*snapshot.ConfigObject)) snapshot.ConfigObject {
	co := snapshot.ConfigObject{Kind: kind, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", CreationTimestamp: *timeAgo(48 * time.Hour),
		ManagedFields: []metav1.ManagedFieldsEntry{
			{Manager: "argocd-controller", Time: timeAgo(48 * time.Hour)},
			{Manager: "kubectl-edit", Time: timeAgo(changed)},
		}}}
	for _, m := range mutate {
		m(&co)
	}
	return co
}

func runningPod(name string, started time.Duration) corev1.Pod {
	return shopPod(name, "api", func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodRunning
		p.Status.StartTime = timeAgo(started)
	})
}

func TestCheckConfigStale(t *testing.T) {
	app := testApp("shop", func(a *argocd.Application) {
		a.Status.Resources = []argocd.ResourceStatus{resource("apps", "Deployment", "shop", "api")}
	})
	snap := func(obj *unstructured.Unstructured, pods []corev1.Pod, objs ...snapshot.ConfigObject) *snapshot.Snapshot {
		s := withLiveObjects(testSnapshot(app), obj)
		s.Pods = pods
		s.ConfigObjects = map[snapshot.LiveKey]snapshot.ConfigObject{}
		for _, o := range objs {
			s.ConfigObjects[snapshot.LiveKey{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}] = o
		}
		s.Read[snapshot.Pods], s.Read[snapshot.ConfigObjects] = true, true
		return s
	}
	pods := []corev1.Pod{runningPod("api-5d8f7c-aaaaa", 3*time.Hour), runningPod("api-5d8f7c-bbbbb", 2*time.Hour)}
	runCheckCases(t, "config-stale", []checkCase{
		{
			name:     "ConfigMap changed after every pod started",
			snapshot: snap(configDeployment(), pods, configObject("ConfigMap", "settings", time.Hour), configObject("Secret", "creds", 5*time.Hour)),
			want:     []string{"config-stale api"},
			wantText: []string{
				"Deployment.apps shop/api of app shop runs pods older than the last change of ConfigMap settings",
				"ConfigMap shop/settings last changed 2026-11-25T09:00:00Z by kubectl-edit; the pod template reads it through envFrom of container api",
				"2 running pods; the newest, api-5d8f7c-bbbbb, started 2026-11-25T08:00:00Z; the oldest, api-5d8f7c-aaaaa, started 2026-11-25T07:00:00Z",
				`{"op":"test","path":"/metadata/uid","value":"uid-api"},{"op":"test","path":"/metadata/generation","value":2}`,
				"kubectl.kubernetes.io/restartedAt",
			},
			notText:   []string{"Secret shop/creds"},
			wantFixes: []string{"rollout-restart"},
		},
		{
			name:     "Secret changed, read through env valueFrom",
			snapshot: snap(configDeployment(), pods, configObject("ConfigMap", "settings", 5*time.Hour), configObject("Secret", "creds", 30*time.Minute)),
			want:     []string{"config-stale api"},
			wantText: []string{"Secret shop/creds last changed 2026-11-25T09:30:00Z by kubectl-edit; the pod template reads it through env PASSWORD of container api"},
		},
		{
			name:     "a pod restarted after the change: silent",
			snapshot: snap(configDeployment(), []corev1.Pod{runningPod("api-5d8f7c-aaaaa", 3*time.Hour), runningPod("api-5d8f7c-ccccc", 10*time.Minute)}, configObject("ConfigMap", "settings", time.Hour)),
			want:     []string{},
		},
		{
			name:     "immutable ConfigMap: silent",
			snapshot: snap(configDeployment(), pods, configObject("ConfigMap", "settings", time.Hour, func(c *snapshot.ConfigObject) { c.Immutable = true })),
			want:     []string{},
		},
		{
			name: "kustomize hash suffix: silent",
			snapshot: snap(configDeployment(withSet([]string{"spec", "template", "spec", "containers"}, []any{map[string]any{"name": "api",
				"envFrom": []any{map[string]any{"configMapRef": map[string]any{"name": "settings-7m2fkt4h5b"}}}}})),
				pods, configObject("ConfigMap", "settings-7m2fkt4h5b", time.Hour)),
			want: []string{},
		},
		{
			name:     "Helm checksum annotation: silent",
			snapshot: snap(configDeployment(withSet([]string{"spec", "template", "metadata", "annotations"}, map[string]any{"checksum/config": "abc"})), pods, configObject("ConfigMap", "settings", time.Hour)),
			want:     []string{},
		},
		{
			name:     "optional volume of a missing ConfigMap: silent",
			snapshot: snap(configDeployment(), pods),
			want:     []string{},
		},
		{
			name: "restart requested after the change (rollout starting): silent",
			snapshot: snap(configDeployment(withSet([]string{"spec", "template", "metadata", "annotations"}, map[string]any{"kubectl.kubernetes.io/restartedAt": "2026-11-25T09:30:00Z"})),
				pods, configObject("ConfigMap", "settings", time.Hour)),
			want: []string{},
		},
		{
			name:     "rollout under way: silent",
			snapshot: snap(configDeployment(withSet([]string{"status", "updatedReplicas"}, int64(1))), pods, configObject("ConfigMap", "settings", time.Hour)),
			want:     []string{},
		},
	})
}
