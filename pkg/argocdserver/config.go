package argocdserver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// CLIConfig is the current context of the argocd CLI's config file.
type CLIConfig struct {
	Path      string
	Context   string
	Server    string
	Token     string
	Insecure  bool
	PlainText bool
	GRPCWeb   bool
}

type cliConfigFile struct {
	CurrentContext string `json:"current-context"`
	Contexts       []struct {
		Name   string `json:"name"`
		Server string `json:"server"`
		User   string `json:"user"`
	} `json:"contexts"`
	Servers []struct {
		Server    string `json:"server"`
		Insecure  bool   `json:"insecure"`
		PlainText bool   `json:"plain-text"`
		GRPCWeb   bool   `json:"grpc-web"`
	} `json:"servers"`
	Users []struct {
		Name      string `json:"name"`
		AuthToken string `json:"auth-token"`
	} `json:"users"`
}

// ConfigPath is where the argocd CLI keeps its config: $ARGOCD_CONFIG_DIR/config,
// else ~/.config/argocd/config (home is the user's home directory).
func ConfigPath(getenv func(string) string, home string) string {
	if dir := getenv("ARGOCD_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, "config")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "argocd", "config")
}

// LoadCLIConfig reads the current context of the argocd CLI's config at
// path. ok is false when the file does not exist or has no current context.
func LoadCLIConfig(path string) (cfg CLIConfig, ok bool, err error) {
	if path == "" {
		return CLIConfig{}, false, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return CLIConfig{}, false, nil
	}
	if err != nil {
		return CLIConfig{}, false, err
	}
	var f cliConfigFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return CLIConfig{}, false, fmt.Errorf("read argocd config %s: %w", path, err)
	}
	if f.CurrentContext == "" {
		return CLIConfig{}, false, nil
	}
	cfg = CLIConfig{Path: path, Context: f.CurrentContext}
	user := ""
	found := false
	for _, c := range f.Contexts {
		if c.Name == f.CurrentContext {
			cfg.Server, user, found = c.Server, c.User, true
		}
	}
	if !found {
		return CLIConfig{}, false, fmt.Errorf("argocd config %s: current context %q is not among its contexts", path, f.CurrentContext)
	}
	for _, s := range f.Servers {
		if s.Server == cfg.Server {
			cfg.Insecure, cfg.PlainText, cfg.GRPCWeb = s.Insecure, s.PlainText, s.GRPCWeb
		}
	}
	for _, u := range f.Users {
		if u.Name == user {
			cfg.Token = u.AuthToken
		}
	}
	return cfg, true, nil
}
