package cli

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestServerFlagsClient(t *testing.T) {
	dir := t.TempDir()
	config := "contexts:\n- name: c\n  server: argocd.example.com\n  user: u\ncurrent-context: c\nservers:\n- server: argocd.example.com\n  insecure: true\nusers:\n- name: u\n  auth-token: from-config\n"
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name                      string
		flags                     ServerFlags
		display                   string
		env                       map[string]string
		wantServer, wantToken     string
		wantInsecure, wantBadUser bool
	}{
		{name: "nothing configured: no server", display: KubectlDisplayName, env: map[string]string{"ARGOCD_CONFIG_DIR": dir}},
		{name: "flags", flags: ServerFlags{Server: "a:443", AuthToken: "t", Insecure: true}, display: KubectlDisplayName, wantServer: "a:443", wantToken: "t", wantInsecure: true},
		{name: "token from ARGOCD_AUTH_TOKEN", flags: ServerFlags{Server: "a"}, display: KubectlDisplayName, env: map[string]string{"ARGOCD_AUTH_TOKEN": "e"}, wantServer: "a", wantToken: "e"},
		{name: "server without a token", flags: ServerFlags{Server: "a"}, display: KubectlDisplayName, env: map[string]string{"ARGOCD_CONFIG_DIR": dir}, wantBadUser: true},
		{name: "argocd plugin: the CLI's current context", display: ArgoCDDisplayName, env: map[string]string{"ARGOCD_CONFIG_DIR": dir},
			wantServer: "argocd.example.com", wantToken: "from-config", wantInsecure: true},
		{name: "argocd plugin, another server named: config unused", flags: ServerFlags{Server: "b"}, display: ArgoCDDisplayName,
			env: map[string]string{"ARGOCD_CONFIG_DIR": dir, "ARGOCD_AUTH_TOKEN": "e"}, wantServer: "b", wantToken: "e"},
		{name: "diagnose apps as argocd plugin: the config alone configures nothing", flags: ServerFlags{explicitOnly: true}, display: ArgoCDDisplayName,
			env: map[string]string{"ARGOCD_CONFIG_DIR": dir}},
		{name: "diagnose apps, the config's server named: its token", flags: ServerFlags{explicitOnly: true, Server: "argocd.example.com"}, display: ArgoCDDisplayName,
			env: map[string]string{"ARGOCD_CONFIG_DIR": dir}, wantServer: "argocd.example.com", wantToken: "from-config", wantInsecure: true},
		{name: "argocd plugin without a config: no server", display: ArgoCDDisplayName, env: map[string]string{"HOME": t.TempDir()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := &RootOptions{DisplayName: tt.display, Getenv: func(k string) string { return tt.env[k] }}
			c, err := tt.flags.client(root)
			var bad *ExitError
			if tt.wantBadUser {
				if !errors.As(err, &bad) || bad.Code != ExitBadInput {
					t.Fatalf("err = %v, want bad input", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantServer == "" {
				if c != nil {
					t.Fatalf("client %+v, want none", c)
				}
				return
			}
			if c == nil || c.Server != tt.wantServer || c.Token != tt.wantToken || c.Insecure != tt.wantInsecure {
				t.Errorf("client = %+v", c)
			}
		})
	}
}
