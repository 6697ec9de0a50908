package realargocd

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/test/process"
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

func TestCheckBinariesNamesTheMissingOne(t *testing.T) {
	bin := t.TempDir()
	for _, b := range []string{BinController, BinRepoServer} {
		if err := os.WriteFile(filepath.Join(bin, b), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	err := CheckBinaries(bin)
	if err == nil || !strings.Contains(err.Error(), BinRedis) || !strings.Contains(err.Error(), "make argocdbin") {
		t.Fatalf("CheckBinaries without %s: %v", BinRedis, err)
	}
	if err := os.WriteFile(filepath.Join(bin, BinRedis), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckBinaries(bin); err != nil {
		t.Errorf("CheckBinaries with all three: %v", err)
	}
}

// TestRedisExpiresKeys runs the built argocd-redis (miniredis): it must
// answer the readiness probe and, unlike bare miniredis, let a TTL run out
// in wall-clock time, since Argo CD relies on cache entries expiring.
func TestRedisExpiresKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("needs bin/argocd-redis (make argocdbin)")
	}
	bin, err := BinDir("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(bin, BinRedis)); err != nil {
		t.Fatalf("%v: run `make argocdbin` (test/argocd/build.sh) first", err)
	}
	ports, err := process.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	p, err := process.Start(process.Spec{
		Name:    "redis",
		Bin:     filepath.Join(bin, BinRedis),
		Args:    []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(ports[0])},
		LogPath: filepath.Join(t.TempDir(), "redis.log"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(5 * time.Second); err != nil {
			t.Error(err)
		}
	})
	if err := p.WaitReady(t.Context(), 20*time.Second, func(ctx context.Context) error { return redisPing(ctx, addr) }); err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close() //nolint:errcheck // test connection
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	do := func(args ...string) string {
		t.Helper()
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := conn.Write([]byte(b.String())); err != nil {
			t.Fatal(err)
		}
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, "$") && line != "$-1\r\n" {
			// A bulk string: its value is on the next line.
			if line, err = r.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
		}
		return strings.TrimSpace(line)
	}
	if got := do("SET", "short", "v", "PX", "300"); got != "+OK" {
		t.Fatalf("SET short: %q", got)
	}
	if got := do("SET", "long", "v", "EX", "60"); got != "+OK" {
		t.Fatalf("SET long: %q", got)
	}
	if got := do("GET", "short"); got != "v" {
		t.Fatalf("GET short right after SET: %q", got)
	}
	time.Sleep(800 * time.Millisecond)
	if got := do("GET", "short"); got != "$-1" {
		t.Errorf("GET short 800ms after a 300ms TTL: %q, want nil (expired)", got)
	}
	if got := do("GET", "long"); got != "v" {
		t.Errorf("GET long within its 60s TTL: %q", got)
	}
}
