package e2ereal

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/test/realargocd"
)

// The destination names a cluster URL that no cluster Secret registers
// (loopback, nothing listens: the controller never gets as far as dialing).
func TestRealDestinationMissing(t *testing.T) {
	t.Parallel()
	const name = "real-destination-missing"
	const server = "https://127.0.0.1:9"
	repo := fixtureRepo(t, name)
	createApp(t, realargocd.AppSpec{Name: name, RepoURL: repo.URL, DestServer: server, DestNamespace: name})
	waitApp(t, env.apps, name, "an InvalidSpecError about the cluster", func(app *unstructured.Unstructured) bool {
		conditions, _, _ := unstructured.NestedSlice(app.Object, "status", "conditions")
		for _, c := range conditions {
			m, _ := c.(map[string]any)
			if m["type"] == "InvalidSpecError" && strings.Contains(m["message"].(string), server) {
				return true
			}
		}
		return false
	}, waitStatus)

	rep, code := diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	f := requireFinding(t, rep, "destination-missing", name)
	requireMentions(t, f, "destination-missing", server)
	requireExit(t, code, 1, "destination-missing")
}

// The project warns about orphaned resources, and the destination
// namespace holds a ConfigMap that is not in Git.
func TestRealOrphanedResources(t *testing.T) {
	t.Parallel()
	const name = "real-orphaned-resources"
	repo := fixtureRepo(t, name)
	proj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
		"metadata": map[string]any{"name": name, "namespace": argocdNS},
		"spec": map[string]any{
			"sourceRepos":       []any{"*"},
			"destinations":      []any{map[string]any{"server": "*", "namespace": "*"}},
			"orphanedResources": map[string]any{"warn": true},
		},
	}}
	if _, err := env.apps.Dynamic().Resource(realargocd.AppProjectGVR).Namespace(argocdNS).Create(t.Context(), proj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	stray := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "left-behind", Namespace: name}}
	if _, err := env.cs.CoreV1().ConfigMaps(name).Create(t.Context(), stray, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	createApp(t, realargocd.AppSpec{Name: name, Project: name, RepoURL: repo.URL, DestNamespace: name})
	syncAndWait(t, name)
	waitApp(t, env.apps, name, "condition OrphanedResourceWarning", func(app *unstructured.Unstructured) bool {
		return realargocd.HasCondition(app, "OrphanedResourceWarning")
	}, waitStatus)

	// orphaned-resources is info: the exit status stays 0.
	rep, code := diagnose(t, "diagnose", "app", name, "-n", argocdNS)
	f := requireFinding(t, rep, "orphaned-resources", name)
	requireMentions(t, f, "orphaned-resources", "orphaned")
	requireExit(t, code, 0, "orphaned-resources")
}
