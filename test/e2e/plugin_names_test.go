package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// argocdPlugin is the plugin binary under its second name, a symlink as
// `make install` makes it: Argo CD's CLI (v3.1+) runs it as `argocd argofix`.
func argocdPlugin(t *testing.T) string {
	t.Helper()
	needPlugin(t)
	link := filepath.Join(t.TempDir(), "argocd-argofix")
	if err := os.Symlink(suite.plugin, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// runAs runs a binary of the plugin with extra environment variables.
func runAs(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(append(os.Environ(), "KUBECONFIG=/nonexistent", "NO_COLOR=1"), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && exitErr.Exited():
		r.code = exitErr.ExitCode()
	default:
		t.Fatalf("running %s: %v\n%s", bin, err, r)
	}
	return r
}

// TestArgoCDPluginName: `argocd-argofix diagnose app X` behaves exactly
// like `kubectl argofix diagnose app X`, every command a user reads spelled
// `argocd argofix`; ARGOCD_NAMESPACE picks the Argo CD namespace.
func TestArgoCDPluginName(t *testing.T) {
	argocdBin := argocdPlugin(t)
	ctx := t.Context()
	sc, err := suite.applyScenario(ctx, "project-typo")
	if err != nil {
		t.Fatal(err)
	}
	ns := sc.Namespace()
	kc := suite.cp.AdminKubeconfig
	for _, output := range []string{"table", "wide", "json", "yaml"} {
		args := []string{"--kubeconfig", kc, "--argocd-namespace", ns, "diagnose", "app", "guestbook", "-n", ns, "-o", output}
		k := runAs(t, suite.plugin, nil, args...)
		a := runAs(t, argocdBin, nil, args...)
		if k.code != 1 || a.code != k.code {
			t.Fatalf("-o %s: exit %d as kubectl plugin, %d as argocd plugin, want 1\n%s\n%s", output, k.code, a.code, k, a)
		}
		if !strings.Contains(k.stdout, "kubectl argofix fix app guestbook -n "+ns+" --only set-project") {
			t.Errorf("-o %s: the kubectl plugin's report has no kubectl argofix fix command:\n%s", output, k)
		}
		if strings.Contains(a.stdout+a.stderr, "kubectl argofix") || !strings.Contains(a.stdout, "argocd argofix fix app guestbook -n "+ns+" --only set-project") {
			t.Errorf("-o %s: the argocd plugin's report is not spelled `argocd argofix`:\n%s", output, a)
		}
		got, want := strings.ReplaceAll(a.stdout, "argocd argofix", "kubectl argofix"), k.stdout
		if output == "yaml" { // the names differ in length: YAML folds long lines elsewhere
			got, want = yamlAsJSON(t, got), yamlAsJSON(t, want)
		}
		if got != want {
			t.Errorf("-o %s: the reports differ beyond the command name\n--- argocd-argofix:\n%s\n--- kubectl-argofix:\n%s", output, a.stdout, k.stdout)
		}
	}

	// As an argocd plugin, ARGOCD_NAMESPACE is the Argo CD namespace.
	withFlag := runAs(t, argocdBin, nil, "--kubeconfig", kc, "--argocd-namespace", ns, "diagnose", "app", "guestbook", "-n", ns, "-o", "json")
	withEnv := runAs(t, argocdBin, []string{"ARGOCD_NAMESPACE=" + ns}, "--kubeconfig", kc, "diagnose", "app", "guestbook", "-n", ns, "-o", "json")
	if withEnv.code != withFlag.code || withEnv.stdout != withFlag.stdout {
		t.Errorf("ARGOCD_NAMESPACE=%s is not --argocd-namespace %s for argocd-argofix\n%s\n%s", ns, ns, withEnv, withFlag)
	}

	// Usage, errors and hints name the argocd command.
	help := runAs(t, argocdBin, nil, "fix", "app", "--help")
	if strings.Contains(help.stdout, "kubectl argofix") || !strings.Contains(help.stdout, "argocd argofix fix app guestbook --dry-run") {
		t.Errorf("argocd-argofix fix app --help:\n%s", help)
	}
	bad := runAs(t, argocdBin, nil, "diagnose", "app", "x", "--bogus")
	if bad.code != 2 || !strings.Contains(bad.stderr, "See 'argocd argofix diagnose app --help'") {
		t.Errorf("a bad flag's hint:\n%s", bad)
	}
	// Completion through the argocd name works the same way.
	comp := runAs(t, argocdBin, nil, "__complete", "--kubeconfig", kc, "diagnose", "app", "-n", ns, "")
	if !slices.Contains(strings.Split(comp.stdout, "\n"), "guestbook") {
		t.Errorf("argocd-argofix __complete diagnose app: want guestbook\n%s", comp)
	}
	script := runAs(t, argocdBin, nil, "completion", "bash")
	if !strings.Contains(script.stdout, "complete -o default -F __start_argocd-argofix argocd-argofix") {
		t.Errorf("argocd-argofix completion bash does not complete argocd-argofix:\n%.400s", script.stdout)
	}
}

// TestCompletionThroughKubectl drives kubectl's own bash completion in a
// real bash: kubectl finds kubectl_complete-argofix on PATH, which asks the
// plugin, which reads the control plane for Application names.
func TestCompletionThroughKubectl(t *testing.T) {
	needPlugin(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("bash is needed: %v", err)
	}
	bin := os.Getenv("ARGOFIX_TEST_BIN")
	if bin == "" {
		bin = filepath.Join(suite.root, "bin")
	}
	if _, err := os.Stat("/usr/share/bash-completion/bash_completion"); err != nil {
		t.Fatalf("kubectl's bash completion script needs the bash-completion package: run `sudo apt-get install -y bash-completion` (.ci/run does): %v", err)
	}
	kubectl := filepath.Join(bin, "kubectl")
	if _, err := os.Stat(kubectl); err != nil {
		t.Fatalf("kubectl missing: run `make krewbin` (%v)", err)
	}
	ctx := t.Context()
	sc, err := suite.applyScenario(ctx, "project-typo")
	if err != nil {
		t.Fatal(err)
	}
	ns := sc.Namespace()
	// PATH as `make install` leaves it: the plugin, its completion helper
	// and kubectl.
	dir := t.TempDir()
	for name, target := range map[string]string{
		"kubectl":                  kubectl,
		"kubectl-argofix":          suite.plugin,
		"kubectl_complete-argofix": filepath.Join(suite.root, "scripts", "kubectl_complete-argofix"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	complete := func(words ...string) []string {
		t.Helper()
		// COMP_WORDS and COMP_CWORD as bash sets them on <TAB>; the function
		// is whatever `complete -p kubectl` registered with -F.
		// No set -e: compopt complains outside a real <TAB>, harmlessly.
		script := `source /usr/share/bash-completion/bash_completion
source <(kubectl completion bash)
fn=$(complete -p kubectl | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[[ -n $fn ]] || { echo "kubectl completion registered no -F function" >&2; exit 1; }
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
COMP_TYPE=9
"$fn" kubectl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
`
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bash, append([]string{"--norc", "--noprofile", "-c", script, "bash"}, words...)...)
		cmd.Env = append(os.Environ(), "PATH="+dir+":/usr/bin:/bin", "KUBECONFIG="+suite.cp.AdminKubeconfig, "HOME="+t.TempDir())
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash completion of %q: %v\n%s%s", words, err, out, stderr.String())
		}
		var got []string
		for _, l := range strings.Split(string(out), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				got = append(got, l)
			}
		}
		return got
	}
	if got := complete("kubectl", "argofix", "diag"); !slices.Contains(got, "diagnose") {
		t.Errorf("kubectl argofix diag<TAB>: %q, want diagnose", got)
	}
	if got := complete("kubectl", "argofix", "diagnose", "app", "-n", ns, ""); !slices.Equal(got, []string{"guestbook"}) {
		t.Errorf("kubectl argofix diagnose app -n %s <TAB>: %q, want [guestbook]", ns, got)
	}
	if got := complete("kubectl", "argofix", "diagnose", "namespace", ns[:len(ns)-2]); !slices.Contains(got, ns) {
		t.Errorf("kubectl argofix diagnose namespace %s<TAB>: %q, want %s", ns[:len(ns)-2], got, ns)
	}
	if got := complete("kubectl", "argofix", "fix", "app", "guestbook", "-n", ns, "--argocd-namespace", ns, "--only", ""); !slices.Contains(got, "set-project") {
		t.Errorf("kubectl argofix fix app guestbook --only <TAB>: %q, want set-project among them", got)
	}
	// An unreachable cluster: no names, no error, the shell carries on.
	cmd := exec.CommandContext(ctx, suite.plugin, "__complete", "--server", "https://127.0.0.1:1", "diagnose", "app", "")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), ":4") {
		t.Errorf("completion against an unreachable cluster: %v\n%s", err, out)
	}
}

func yamlAsJSON(t *testing.T, s string) string {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(s))
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return string(j)
}
