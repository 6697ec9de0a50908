package controlplane

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModulePath is the main module; RepoRoot looks for its go.mod.
const ModulePath = "github.com/argofix/kubectl-argofix"

// RepoRoot walks up from the working directory to the go.mod of the main
// module. Tests run in their package directory, so this finds the repo from
// any package below it (test/tools has its own module and is skipped).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("getting working directory: %w", err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && moduleLine(data) == ModulePath {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s above the working directory", ModulePath)
		}
		dir = parent
	}
}

func moduleLine(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// ModuleDir returns the module-cache folder of module@version, downloading
// it through the configured Go module proxy when it is not cached yet.
// dir is the directory go runs in (its go.mod decides the version when
// version is empty).
func ModuleDir(ctx context.Context, dir, module, version string) (string, error) {
	arg := module
	if version != "" {
		arg += "@" + version
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", arg)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download -json %s (in %s): %w: %s", arg, dir, err, strings.TrimSpace(stderr.String()))
	}
	var info struct {
		Dir   string
		Error string
	}
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("decoding go mod download output for %s: %w", arg, err)
	}
	if info.Error != "" || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no module folder (%s)", arg, info.Error)
	}
	return info.Dir, nil
}
