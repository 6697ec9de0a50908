package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// unreachable is a cluster nobody listens on: a command that got past its
// flag checks to Complete fails there with exit 3, so an exit 2 with the
// flag's own message proves that Validate ran first.
const unreachable = "https://127.0.0.1:1"

// runPlugin runs the root command as main does, against an unreachable
// cluster and an empty kubeconfig, and returns the exit status and message.
func runPlugin(t *testing.T, args ...string) (code int, msg string) {
	t.Helper()
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "config")
	if err := os.WriteFile(kubeconfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	cmd := NewRootCmd(streams, BuildInfo{}, "kubectl argofix")
	cmd.SetArgs(append(slices.Clone(args),
		"--kubeconfig", kubeconfig, "--cache-dir", filepath.Join(dir, "cache"), "--server", unreachable))
	err := cmd.Execute()
	if err != nil {
		msg = err.Error()
	}
	return ExitCode(err), msg
}

// diagnoseCommands are the read-only commands, with their arguments.
var diagnoseCommands = [][]string{
	{"diagnose"},
	{"diagnose", "apps"},
	{"diagnose", "app", "guestbook"},
	{"diagnose", "namespace", "payments"},
}

// TestValidFlagsReachTheCluster is the control for the tests below: with
// valid flags each command gets to Complete, which fails on the unreachable
// cluster with exit 3. An exit 2 below is thus the flag check's doing.
func TestValidFlagsReachTheCluster(t *testing.T) {
	commands := append(slices.Clone(diagnoseCommands),
		[]string{"diagnose", "apps", "-A", "-l", "team=payments", "-o", "json", "--fail-on", "never", "--stuck-after", "0s", "--color", "never"},
		[]string{"fix", "app", "guestbook", "--dry-run"},
		[]string{"fix", "namespace", "payments", "--dry-run=server"},
		[]string{"finalizers", "-A", "--dry-run"},
		[]string{"refresh", "guestbook", "--dry-run"},
		[]string{"invalidate-cache", "--dry-run"},
	)
	for _, args := range commands {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, msg := runPlugin(t, args...)
			if code != ExitUnreadable || !strings.Contains(msg, "cannot reach the cluster") {
				t.Errorf("exit %d (%s), want %d: cannot reach the cluster", code, msg, ExitUnreadable)
			}
		})
	}
}

// TestReportFlagsOfEveryDiagnoseCommand: each diagnose command refuses a bad
// -o, --fail-on, --stuck-after or --color as bad input, before it contacts
// the cluster, saying which flag is wrong.
func TestReportFlagsOfEveryDiagnoseCommand(t *testing.T) {
	flags := []struct {
		args []string
		want string
	}{
		{[]string{"-o", "xml"}, `--output must be one of table, wide, json, yaml, name, not "xml"`},
		{[]string{"--output=Json"}, `--output must be one of`},
		{[]string{"--fail-on", "critical"}, `--fail-on must be error, warning, info or never, not "critical"`},
		{[]string{"--stuck-after=-1m"}, "--stuck-after must not be negative"},
		{[]string{"--stuck-after", "5"}, `invalid argument "5" for "--stuck-after" flag`},
		{[]string{"--color", "rainbow"}, `--color must be auto, always or never, not "rainbow"`},
	}
	for _, command := range diagnoseCommands {
		for _, flag := range flags {
			args := append(slices.Clone(command), flag.args...)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, msg := runPlugin(t, args...)
				if code != ExitBadInput || !strings.Contains(msg, flag.want) {
					t.Errorf("exit %d (%s), want %d: %s", code, msg, ExitBadInput, flag.want)
				}
			})
		}
	}
}

// TestFlagHandling covers flag combinations, flags a command does not have,
// arguments and the label selector.
func TestFlagHandling(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		// -A and -n exclude each other, in every spelling.
		{[]string{"diagnose", "-A", "-n", "team-a"}, "-A and -n cannot be used together"},
		{[]string{"diagnose", "apps", "--all-namespaces", "--namespace", "team-a"}, "-A and -n cannot be used together"},
		{[]string{"finalizers", "-A", "-n", "team-a"}, "-A and -n cannot be used together"},
		// Flags that belong to another command, with the help hint.
		{[]string{"diagnose", "app", "guestbook", "-A"}, "unknown shorthand flag: 'A' in -A\nSee 'kubectl argofix diagnose app --help'."},
		{[]string{"diagnose", "namespace", "payments", "-l", "team=a"}, "unknown shorthand flag: 'l' in -l"},
		{[]string{"diagnose", "namespace", "payments", "--project", "default"}, "unknown flag: --project\nSee 'kubectl argofix diagnose namespace --help'."},
		{[]string{"diagnose", "apps", "--dry-run"}, "unknown flag: --dry-run"},
		{[]string{"--bogus", "diagnose"}, "unknown flag: --bogus"},
		// Arguments.
		{[]string{"diagnose", "apps", "guestbook"}, `unknown command "guestbook"`},
		{[]string{"diagnose", "namespace"}, "accepts 1 arg(s), received 0"},
		{[]string{"diagnose", "app", "guestbook", "billing"}, "accepts 1 arg(s), received 2"},
		// A malformed -l is bad input, found by CollectApps before its first
		// request (--argocd-namespace spares Complete its lookup).
		{[]string{"diagnose", "apps", "-l", "team in (a", "--argocd-namespace", "argocd"}, `invalid label selector "team in (a"`},
		{[]string{"diagnose", "-A", "--selector", "team=", "--argocd-namespace", "argocd"}, "" /* valid: an empty value */},
		{[]string{"diagnose", "--selector", "!!", "--argocd-namespace", "argocd"}, `invalid label selector "!!"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, msg := runPlugin(t, tt.args...)
			if tt.want == "" {
				if code != ExitUnreadable {
					t.Errorf("exit %d (%s), want %d: the flags are valid", code, msg, ExitUnreadable)
				}
				return
			}
			if code != ExitBadInput || !strings.Contains(msg, tt.want) {
				t.Errorf("exit %d (%q), want %d: %q", code, msg, ExitBadInput, tt.want)
			}
		})
	}
}

// TestChangeFlags: the commands that write refuse a bad --dry-run or
// --stuck-after, and flag combinations that make no sense, before they
// contact the cluster.
func TestChangeFlags(t *testing.T) {
	journal := filepath.Join(t.TempDir(), "missing.json")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"fix", "app", "guestbook", "--dry-run=maybe"}, `--dry-run must be "none", "client" or "server", not "maybe"`},
		{[]string{"fix", "namespace", "payments", "--dry-run=all"}, `--dry-run must be`},
		{[]string{"finalizers", "--dry-run=true"}, `--dry-run must be`},
		{[]string{"refresh", "guestbook", "--dry-run=yes"}, `--dry-run must be`},
		{[]string{"invalidate-cache", "--dry-run=1"}, `--dry-run must be`},
		// The journal is read in Complete: the flag is checked first.
		{[]string{"undo", journal, "--dry-run=maybe"}, `--dry-run must be`},
		{[]string{"fix", "app", "guestbook", "--stuck-after=-5m"}, "--stuck-after must not be negative"},
		{[]string{"finalizers", "--stuck-after=-1s"}, "--stuck-after must not be negative"},
		{[]string{"fix", "app", "guestbook", "--project", "payments", "--only", "remove-finalizers"}, "--project is for the set-project fix"},
		{[]string{"finalizers", "-A", "--app", "guestbook"}, "--app names one Application"},
		{[]string{"refresh", "guestbook", "--force"}, "unknown flag: --force"},
		{[]string{"fix", "app", "guestbook", "-o", "json"}, "unknown shorthand flag: 'o' in -o"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, msg := runPlugin(t, tt.args...)
			if code != ExitBadInput || !strings.Contains(msg, tt.want) {
				t.Errorf("exit %d (%q), want %d: %q", code, msg, ExitBadInput, tt.want)
			}
		})
	}
}

func TestValidateOnly(t *testing.T) {
	install := []string{"rollout-restart", "set-controller-replicas", "processors"}
	for _, tt := range []struct {
		only, want string
	}{
		{only: "", want: ""},
		{only: "rollout-restart,processors", want: ""},
		{only: "rollout-restat", want: `no fix is called "rollout-restat" (did you mean rollout-restart?)`},
		{only: "create-project", want: "this command applies rollout-restart, set-controller-replicas, processors; create-project is applied by another fix command"},
	} {
		err := validateOnly(tt.only, install)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("--only %q: %v", tt.only, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || ExitCode(err) != ExitBadInput):
			t.Errorf("--only %q: %v, want bad input saying %q", tt.only, err, tt.want)
		}
	}
}
