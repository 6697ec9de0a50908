package argocdserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// treeJSON has the shape argocd-server v2.14 serves for
// GET /api/v1/applications/{name}/resource-tree (fields argofix does not
// read included, to prove they are ignored).
const treeJSON = `{"nodes":[
 {"version":"v1","kind":"Service","namespace":"web","name":"web","uid":"s1","resourceVersion":"10","createdAt":"2026-11-26T10:00:00Z","networkingInfo":{"targetLabels":{"app":"web"}},"health":{"status":"Healthy"}},
 {"group":"apps","version":"v1","kind":"Deployment","namespace":"web","name":"web","uid":"d1","health":{"status":"Healthy"}},
 {"group":"apps","version":"v1","kind":"ReplicaSet","namespace":"web","name":"web-5d8f","uid":"r1","parentRefs":[{"group":"apps","kind":"Deployment","namespace":"web","name":"web","uid":"d1"}],"info":[{"name":"Revision","value":"Rev:1"}]},
 {"version":"v1","kind":"Pod","namespace":"web","name":"web-5d8f-abcde","uid":"p1","parentRefs":[{"group":"apps","kind":"ReplicaSet","namespace":"web","name":"web-5d8f","uid":"r1"}],"info":[{"name":"Status Reason","value":"Running"},{"name":"Containers","value":"1/1"}],"images":["nginx"]}
],"hosts":[{"name":"node-1"}]}`

func TestClient(t *testing.T) {
	var gotAuth, gotQuery, gotPath string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotPath, gotQuery = r.Header.Get("Authorization"), r.URL.Path, r.URL.RawQuery
		switch r.URL.Path {
		case "/api/version":
			_, _ = w.Write([]byte(`{"Version":"v2.14.21+a1b2c3d","BuildDate":"2025-01-01T00:00:00Z","GoVersion":"go1.23"}`))
		case "/api/v1/applications/guestbook/resource-tree":
			_, _ = w.Write([]byte(treeJSON))
		case "/api/v1/applications/nope/resource-tree":
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"applications.argoproj.io \"nope\" not found","code":5,"message":"applications.argoproj.io \"nope\" not found"}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"code":16,"message":"invalid session: token is malformed"}`))
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "https://")
	ctx := context.Background()

	// Without --insecure the self-signed certificate is refused.
	if _, err := (&Client{Server: host, Token: "t"}).Version(ctx); err == nil {
		t.Fatal("self-signed certificate accepted without Insecure")
	}
	c := &Client{Server: host, Token: "tok", Insecure: true}
	v, err := c.Version(ctx)
	if err != nil || v.Version != "v2.14.21+a1b2c3d" {
		t.Fatalf("Version = %+v, %v", v, err)
	}
	if gotAuth != "Bearer tok" {
		t.Errorf("Authorization = %q", gotAuth)
	}
	tree, err := c.ResourceTree(ctx, "team-a", "guestbook")
	if err != nil {
		t.Fatal(err)
	}
	if gotPath != "/api/v1/applications/guestbook/resource-tree" || gotQuery != "appNamespace=team-a" {
		t.Errorf("request %s?%s", gotPath, gotQuery)
	}
	if len(tree.Nodes) != 4 {
		t.Fatalf("nodes = %d", len(tree.Nodes))
	}
	pod := tree.Nodes[3]
	if pod.Kind != "Pod" || pod.UID != "p1" || len(pod.ParentRefs) != 1 || pod.ParentRefs[0].Name != "web-5d8f" || pod.ParentRefs[0].Kind != "ReplicaSet" {
		t.Errorf("pod node = %+v", pod)
	}
	if _, err := c.ResourceTree(ctx, "", "nope"); !IsNotFound(err) || !strings.Contains(err.Error(), `"nope" not found`) {
		t.Errorf("missing app: %v", err)
	}
	if _, err := c.ResourceTree(ctx, "", "other"); err == nil || IsNotFound(err) || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "token is malformed") {
		t.Errorf("unauthorized: %v", err)
	}
}

func TestBaseURL(t *testing.T) {
	for _, tc := range []struct {
		server string
		plain  bool
		want   string
		bad    bool
	}{
		{server: "argocd.example.com", want: "https://argocd.example.com"},
		{server: "localhost:8080", want: "https://localhost:8080"},
		{server: "https://argocd.example.com/", want: "https://argocd.example.com"},
		{server: "localhost:8080", plain: true, want: "http://localhost:8080"},
		{server: "http://localhost:8080", want: "http://localhost:8080"},
		{server: "", bad: true},
		{server: "host/path", bad: true},
	} {
		got, err := (&Client{Server: tc.server, PlainText: tc.plain}).baseURL()
		if tc.bad != (err != nil) || got != tc.want {
			t.Errorf("%q: %q, %v", tc.server, got, err)
		}
	}
}

func TestLoadCLIConfig(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ARGOCD_CONFIG_DIR": dir}
	path := ConfigPath(func(k string) string { return env[k] }, "/home/u")
	if path != filepath.Join(dir, "config") {
		t.Fatalf("path = %s", path)
	}
	if got := ConfigPath(func(string) string { return "" }, "/home/u"); got != "/home/u/.config/argocd/config" {
		t.Errorf("default path = %s", got)
	}
	if _, ok, err := LoadCLIConfig(path); ok || err != nil {
		t.Fatalf("missing file: %v %v", ok, err)
	}
	// The shape `argocd login` writes.
	config := `contexts:
- name: prod
  server: argocd.example.com
  user: prod-user
- name: local
  server: localhost:8080
  user: local
current-context: local
prompts-enabled: false
servers:
- grpc-web-root-path: ""
  server: argocd.example.com
- insecure: true
  server: localhost:8080
users:
- auth-token: prod-token
  name: prod-user
- auth-token: local-token
  name: local
  refresh-token: r
`
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, ok, err := LoadCLIConfig(path)
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	if cfg.Server != "localhost:8080" || cfg.Token != "local-token" || !cfg.Insecure || cfg.PlainText || cfg.Context != "local" {
		t.Errorf("cfg = %+v", cfg)
	}
	if err := os.WriteFile(path, []byte("current-context: gone\ncontexts: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadCLIConfig(path); err == nil {
		t.Error("a current context that is not listed must be an error")
	}
}
