package realargocd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestNewRepoFromDirAndCommit(t *testing.T) {
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "sub", "cm.yaml"), []byte("kind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "repo")
	repo, err := NewRepoFromDir(t.Context(), src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if want := "file://" + filepath.Join(dst, ".git"); repo.URL != want {
		t.Errorf("URL = %q, want %q", repo.URL, want)
	}
	first, err := repo.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	second, err := repo.CommitFile(t.Context(), "sub/other.yaml", []byte("kind: Secret\n"), "add secret")
	if err != nil {
		t.Fatal(err)
	}
	if first == second || len(second) != 40 {
		t.Errorf("commits %q then %q: want a new 40-hex SHA", first, second)
	}
	out, err := repo.git(t.Context(), "ls-files")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(out); len(got) != 2 {
		t.Errorf("tracked files %v, want sub/cm.yaml and sub/other.yaml", got)
	}
	if _, err := NewRepoFromDir(t.Context(), src, dst); err == nil {
		t.Error("NewRepoFromDir over an existing folder: want an error")
	}
}

func TestAppSpecDefaults(t *testing.T) {
	obj := AppSpec{Name: "a", RepoURL: "file:///r/.git", DestNamespace: "d", Finalizer: true, SyncOptions: []string{"CreateNamespace=true"}}.Object("argocd")
	for path, want := range map[string]string{
		"spec.project":               "default",
		"spec.source.path":           ".",
		"spec.source.targetRevision": Branch,
		"spec.destination.server":    InClusterServer,
		"spec.destination.namespace": "d",
		"metadata.namespace":         "argocd",
		"spec.source.repoURL":        "file:///r/.git",
		"metadata.name":              "a",
		"apiVersion":                 "argoproj.io/v1alpha1",
		"kind":                       "Application",
	} {
		got, _, err := unstructured.NestedString(obj.Object, strings.Split(path, ".")...)
		if err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", path, got, err, want)
		}
	}
	if f := obj.GetFinalizers(); len(f) != 1 || f[0] != ResourcesFinalizer {
		t.Errorf("finalizers %v", f)
	}
	if _, found, _ := unstructured.NestedMap(obj.Object, "spec", "syncPolicy", "automated"); found {
		t.Error("automated sync set without AutoSync")
	}
}

func TestStartNeedsKubeconfig(t *testing.T) {
	if _, err := Start(t.Context(), Options{}); err == nil || !strings.Contains(err.Error(), "Kubeconfig") {
		t.Errorf("Start without kubeconfig: %v", err)
	}
}
