package release

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/argofix/kubectl-argofix/pkg/cli"
	"github.com/argofix/kubectl-argofix/test/controlplane"
)

// k9sPlugin holds the plugin fields k9s documents
// (https://k9scli.io/topics/plugins/); the file is read strictly, so a
// misspelt or unknown field fails.
type k9sPlugin struct {
	ShortCut        string   `json:"shortCut"`
	Override        bool     `json:"override"`
	OverwriteOutput bool     `json:"overwriteOutput"`
	Confirm         bool     `json:"confirm"`
	Dangerous       bool     `json:"dangerous"`
	Description     string   `json:"description"`
	Scopes          []string `json:"scopes"`
	Command         string   `json:"command"`
	Background      bool     `json:"background"`
	Args            []string `json:"args"`
}

// TestK9sPlugins parses plugins/k9s/argofix.yaml with k9s's field names and
// checks that every argofix command in it exists with the flags it uses.
func TestK9sPlugins(t *testing.T) {
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "plugins", "k9s", "argofix.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Plugins map[string]k9sPlugin `json:"plugins"`
	}
	if err := yaml.UnmarshalStrict(b, &file); err != nil {
		t.Fatalf("plugins/k9s/argofix.yaml with k9s's field names: %v", err)
	}
	shortcut := regexp.MustCompile(`^((Shift|Ctrl|Alt)-)?[A-Z0-9]$`)
	scopes := map[string]bool{}
	type key struct{ scope, shortcut string }
	seen := map[key]string{}
	for name, p := range file.Plugins {
		if !shortcut.MatchString(p.ShortCut) || p.Description == "" || p.Command == "" || len(p.Scopes) == 0 {
			t.Errorf("%s: shortCut %q (want like Shift-D), description %q, command %q and scopes %v are all required", name, p.ShortCut, p.Description, p.Command, p.Scopes)
		}
		for _, s := range p.Scopes {
			scopes[s] = true
			if other, dup := seen[key{s, p.ShortCut}]; dup {
				t.Errorf("%s and %s both bind %s on %s", name, other, p.ShortCut, s)
			}
			seen[key{s, p.ShortCut}] = name
		}
		if p.Command != "sh" || len(p.Args) != 2 || p.Args[0] != "-c" {
			t.Errorf("%s: want command sh with args [-c SCRIPT], got %s %v", name, p.Command, p.Args)
			continue
		}
		checkArgofixCommand(t, name, p.Args[1])
		if strings.Contains(p.Args[1], " fix ") && !strings.Contains(p.Args[1], "--dry-run") {
			t.Errorf("%s: a fix from k9s must be a dry run: %s", name, p.Args[1])
		}
	}
	for _, want := range []string{"applications", "applicationsets", "namespaces"} {
		if !scopes[want] {
			t.Errorf("no plugin for %s", want)
		}
	}
}

// checkArgofixCommand finds the argofix command of a shell line in the
// real command tree and parses its flags.
func checkArgofixCommand(t *testing.T, name, script string) {
	t.Helper()
	line, _, _ := strings.Cut(script, "2>&1")
	_, rest, ok := strings.Cut(line, "kubectl argofix ")
	if !ok {
		t.Errorf("%s: no `kubectl argofix` in %q", name, script)
		return
	}
	var words []string
	for _, w := range strings.Fields(rest) {
		words = append(words, strings.Trim(w, `"`))
	}
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	rootCmd := cli.NewRootCmd(streams, cli.BuildInfo{}, cli.KubectlDisplayName)
	cmd, args, err := rootCmd.Find(words)
	if err != nil || cmd == rootCmd {
		t.Errorf("%s: %q is no argofix command: %v", name, rest, err)
		return
	}
	if err := cmd.ParseFlags(args); err != nil {
		t.Errorf("%s: %q: %v", name, rest, err)
	}
	if slices.Contains(cmd.Flags().Args(), "") {
		t.Errorf("%s: empty argument in %q", name, rest)
	}
}
