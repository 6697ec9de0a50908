package release

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

// testVersion stamps the archives built here; krew wants a semantic version.
const testVersion = "v0.0.0-test"

var platforms = []struct{ os, arch string }{
	{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"windows", "arm64"},
}

// repo and bin locate the repository and the tools of `make krewbin`.
func repo(t *testing.T) (root, bin string) {
	t.Helper()
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin = os.Getenv("ARGOFIX_TEST_BIN")
	if bin == "" {
		bin = filepath.Join(root, "bin")
	}
	for _, tool := range []string{"krew", "validate-krew-manifest", "kubectl"} {
		if _, err := os.Stat(filepath.Join(bin, tool)); err != nil {
			t.Fatalf("%s missing: run `make krewbin` (%v)", tool, err)
		}
	}
	return root, bin
}

// run runs a command and returns its combined output, failing the test
// when it exits non-zero.
func run(t *testing.T, ctx context.Context, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func archiveName(version, goos, arch string) string {
	ext := "tar.gz"
	if goos == "windows" {
		ext = "zip"
	}
	return "kubectl-argofix_" + version + "_" + goos + "_" + arch + "." + ext
}

// archiveEntries lists the files of a .tar.gz or .zip with their modes.
func archiveEntries(t *testing.T, path string) map[string]os.FileMode {
	t.Helper()
	entries := map[string]os.FileMode{}
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = zr.Close() }()
		for _, f := range zr.File {
			entries[f.Name] = f.Mode().Perm()
		}
		return entries
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return entries
		}
		if err != nil {
			t.Fatal(err)
		}
		entries[h.Name] = os.FileMode(h.Mode).Perm()
	}
}

func sha256Of(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestDistKrewInstall builds the release archives and the krew manifest as
// a release does, validates the manifest with krew's validator, installs
// the plugin with krew from the local archive, and runs it through kubectl.
func TestDistKrewInstall(t *testing.T) {
	root, bin := repo(t)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	dist := filepath.Join(tmp, "dist")
	manifest := filepath.Join(tmp, "argofix.yaml") // the validator wants <plugin name>.yaml
	began := time.Now()
	run(t, ctx, root, nil, "make", "--no-print-directory", "dist", "krew-manifest",
		"VERSION="+testVersion, "DIST="+dist, "KREW_MANIFEST="+manifest)
	t.Logf("make dist krew-manifest: %s", time.Since(began).Round(time.Second))

	// Every platform: binary and LICENSE, executable bit, checksum listed.
	sums := map[string]string{}
	f, err := os.Open(filepath.Join(dist, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Errorf("checksums.txt: bad line %q", sc.Text())
		}
		sums[name] = sum
	}
	_ = f.Close()
	if len(sums) != len(platforms) {
		t.Errorf("checksums.txt lists %d archives, want %d: %v", len(sums), len(platforms), sums)
	}
	for _, p := range platforms {
		name := archiveName(testVersion, p.os, p.arch)
		path := filepath.Join(dist, name)
		exe := "kubectl-argofix"
		if p.os == "windows" {
			exe += ".exe"
		}
		entries := archiveEntries(t, path)
		want := map[string]os.FileMode{exe: 0o755, "LICENSE": 0o644}
		if len(entries) != len(want) || entries[exe] != want[exe] || entries["LICENSE"] != want["LICENSE"] {
			t.Errorf("%s holds %v, want %v", name, entries, want)
		}
		if got := sha256Of(t, path); sums[name] != got {
			t.Errorf("checksums.txt says %s for %s, the file is %s", sums[name], name, got)
		}
	}

	// The manifest: shape checked here, then by krew's own validator.
	var m struct {
		Spec struct {
			Version          string `json:"version"`
			ShortDescription string `json:"shortDescription"`
			Description      string `json:"description"`
			Caveats          string `json:"caveats"`
			Platforms        []struct {
				URI    string `json:"uri"`
				Sha256 string `json:"sha256"`
				Files  []struct {
					From string `json:"from"`
				} `json:"files"`
			} `json:"platforms"`
		} `json:"spec"`
	}
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", manifest, err)
	}
	if m.Spec.Version != testVersion {
		t.Errorf("manifest version %q, want %q", m.Spec.Version, testVersion)
	}
	if n := len(m.Spec.ShortDescription); n == 0 || n > 50 {
		t.Errorf("shortDescription is %d characters, krew-index wants 1 to 50: %q", n, m.Spec.ShortDescription)
	}
	for _, l := range strings.Split(m.Spec.Description+m.Spec.Caveats, "\n") {
		if len(l) > 80 {
			t.Errorf("description or caveats line over 80 columns: %q", l)
		}
	}
	for _, want := range []string{"kubectl_complete-argofix", "argocd-argofix", "argocd argofix"} {
		if !strings.Contains(m.Spec.Caveats, want) {
			t.Errorf("caveats do not mention %s", want)
		}
	}
	if len(m.Spec.Platforms) != len(platforms) {
		t.Errorf("manifest has %d platforms, want %d", len(m.Spec.Platforms), len(platforms))
	}
	for _, p := range m.Spec.Platforms {
		name := filepath.Base(p.URI)
		if !strings.HasPrefix(p.URI, "https://github.com/argofix/kubectl-argofix/releases/download/"+testVersion+"/") || sums[name] == "" {
			t.Errorf("platform URI %s names no archive of make dist", p.URI)
		}
		if p.Sha256 != sums[name] {
			t.Errorf("%s: manifest sha256 %s, checksums.txt %s", name, p.Sha256, sums[name])
		}
		if !slices.ContainsFunc(p.Files, func(f struct {
			From string `json:"from"`
		}) bool {
			return f.From == "LICENSE"
		}) {
			t.Errorf("%s: files do not extract LICENSE", name)
		}
	}
	run(t, ctx, tmp, nil, filepath.Join(bin, "validate-krew-manifest"), "-manifest", manifest, "-skip-install")

	// Installed for real by krew, from the local archive, into a temporary
	// KREW_ROOT; then found by kubectl's plugin discovery.
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skipf("krew install is tested on linux only, this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	krewRoot := filepath.Join(tmp, "krew")
	path := filepath.Join(krewRoot, "bin") + string(os.PathListSeparator) + bin + string(os.PathListSeparator) + "/usr/bin:/bin"
	env := []string{"KREW_ROOT=" + krewRoot, "KREW_NO_UPGRADE_CHECK=1", "PATH=" + path, "HOME=" + tmp}
	archive := filepath.Join(dist, archiveName(testVersion, runtime.GOOS, runtime.GOARCH))
	out := run(t, ctx, tmp, env, filepath.Join(bin, "krew"), "install", "--manifest="+manifest, "--archive="+archive)
	t.Logf("krew install:\n%s", out)
	for _, want := range []string{"argocd-argofix", "kubectl_complete-argofix"} {
		if !strings.Contains(out, want) {
			t.Errorf("krew install did not show the caveats (no %s):\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(krewRoot, "store", "argofix", testVersion, "LICENSE")); err != nil {
		t.Errorf("LICENSE not installed: %v", err)
	}
	// krew's record of the install (`krew list` would need a git index).
	if _, err := os.Stat(filepath.Join(krewRoot, "receipts", "argofix.yaml")); err != nil {
		t.Errorf("krew wrote no receipt for argofix: %v", err)
	}
	out = run(t, ctx, tmp, env, filepath.Join(bin, "kubectl"), "argofix", "version")
	if !regexp.MustCompile(`^kubectl-argofix ` + regexp.QuoteMeta(testVersion) + ` \(commit \S+, built \d{4}-\d\d-\d\dT`).MatchString(out) {
		t.Errorf("kubectl argofix version through krew's install: %q", out)
	}
}

// TestCommittedManifestMatchesTemplate: plugins/argofix.yaml is
// .krew.yaml rendered at its version (the archives' sha256 aside, which a
// release recomputes), and passes krew's validator.
func TestCommittedManifestMatchesTemplate(t *testing.T) {
	root, bin := repo(t)
	committed, err := os.ReadFile(filepath.Join(root, "plugins", "argofix.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	version := regexp.MustCompile(`(?m)^  version: (\S+)$`).FindSubmatch(committed)
	if version == nil {
		t.Fatal("plugins/argofix.yaml has no spec.version")
	}
	tmp := t.TempDir()
	dist := filepath.Join(tmp, "dist")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range platforms {
		if err := os.WriteFile(filepath.Join(dist, archiveName(string(version[1]), p.os, p.arch)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rendered := filepath.Join(tmp, "argofix.yaml")
	run(t, t.Context(), root, nil, "go", "run", "./scripts/release", "krew-manifest",
		"-template", ".krew.yaml", "-tag", string(version[1]), "-dist", dist, "-o", rendered)
	got, err := os.ReadFile(rendered)
	if err != nil {
		t.Fatal(err)
	}
	sha := regexp.MustCompile(`sha256: [0-9a-f]{64}`)
	if a, b := sha.ReplaceAllString(string(committed), "sha256: X"), sha.ReplaceAllString(string(got), "sha256: X"); a != b {
		t.Errorf("plugins/argofix.yaml is not .krew.yaml rendered at %s: run make dist krew-manifest VERSION=%s\n--- committed\n%s\n--- rendered\n%s", version[1], version[1], a, b)
	}
	run(t, t.Context(), root, nil, filepath.Join(bin, "validate-krew-manifest"), "-manifest", filepath.Join(root, "plugins", "argofix.yaml"), "-skip-install")
}

// TestMakeInstall: both names and kubectl's completion helper, and the
// argocd name speaks argocd.
func TestMakeInstall(t *testing.T) {
	root, _ := repo(t)
	prefix := t.TempDir()
	run(t, t.Context(), root, nil, "make", "--no-print-directory", "install", "PREFIX="+prefix)
	for _, name := range []string{"kubectl-argofix", "argocd-argofix", "kubectl_complete-argofix"} {
		fi, err := os.Stat(filepath.Join(prefix, "bin", name))
		if err != nil || fi.Mode().Perm()&0o111 == 0 {
			t.Errorf("%s not installed as an executable: %v", name, err)
		}
	}
	help := run(t, t.Context(), root, nil, filepath.Join(prefix, "bin", "argocd-argofix"), "diagnose", "app", "--help")
	if strings.Contains(help, "kubectl argofix") || !strings.Contains(help, "argocd argofix diagnose app guestbook") {
		t.Errorf("argocd-argofix diagnose app --help is not spelled for argocd:\n%s", help)
	}
	help = run(t, t.Context(), root, nil, filepath.Join(prefix, "bin", "kubectl-argofix"), "diagnose", "app", "--help")
	if strings.Contains(help, "argocd argofix") || !strings.Contains(help, "kubectl argofix diagnose app guestbook") {
		t.Errorf("kubectl-argofix diagnose app --help is not spelled for kubectl:\n%s", help)
	}
	// The completion helper kubectl runs hands the words to the plugin.
	out := run(t, t.Context(), root, []string{"PATH=" + filepath.Join(prefix, "bin") + string(os.PathListSeparator) + os.Getenv("PATH")},
		filepath.Join(prefix, "bin", "kubectl_complete-argofix"), "diag")
	if !strings.HasPrefix(out, "diagnose") {
		t.Errorf("kubectl_complete-argofix diag: %q", out)
	}
	if !bytes.Contains([]byte(out), []byte(":")) {
		t.Errorf("kubectl_complete-argofix gave no cobra directive: %q", out)
	}
}
