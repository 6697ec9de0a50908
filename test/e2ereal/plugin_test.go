package e2ereal

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// report is the part of the plugin's JSON report these tests read.
type report struct {
	Findings []finding `json:"findings"`
	// raw is the whole stdout, logged when an assertion fails.
	raw string
}

type finding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Object   struct {
		Group     string `json:"group"`
		Kind      string `json:"kind"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"object"`
	Summary  string   `json:"summary"`
	Evidence []string `json:"evidence"`
}

func (r report) ids() []string {
	ids := make([]string, 0, len(r.Findings))
	for _, f := range r.Findings {
		ids = append(ids, f.ID+"("+f.Severity+" "+f.Object.Kind+"/"+f.Object.Name+")")
	}
	return ids
}

// diagnose runs the built plugin against the tier's cluster with
// `-o json` and the given arguments, e.g. "diagnose", "app", NAME, "-n",
// "argocd". It returns the report and the exit status; a run that gives no
// JSON report fails the test.
func diagnose(t *testing.T, args ...string) (report, int) {
	t.Helper()
	if env.pluginErr != nil || env.plugin == "" {
		t.Fatalf("%v: %v", errNoPlugin, env.pluginErr)
	}
	full := append([]string{"--kubeconfig", env.kubeconfig, "--argocd-namespace", argocdNS}, args...)
	full = append(full, "-o", "json")
	cmd := exec.CommandContext(t.Context(), env.plugin, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	code := 0
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("running kubectl-argofix %s: %v", redacted(full), err)
		}
		code = exit.ExitCode()
	}
	t.Logf("kubectl-argofix %s: exit %d\nstdout: %s\nstderr: %s", redacted(args), code, stdout.String(), stderr.String())
	rep := report{raw: stdout.String()}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		if code == 2 {
			t.Fatalf("WAITS ON CLI: kubectl-argofix rejected %q (exit 2, bad usage): %s", redacted(args), strings.TrimSpace(stderr.String()))
		}
		t.Fatalf("kubectl-argofix %s (exit %d) printed no JSON report: %v\nstderr: %s", redacted(args), code, err, stderr.String())
	}
	return rep, code
}

// requireFinding fails the test when the report lacks finding id about the
// object named objName ("" = any object). waitsOn names the plugin check
// the assertion waits for: until that check exists the failure is
// expected, and the message says so, so nobody mistakes it for a broken
// harness. It returns the finding, or nil.
func requireFinding(t *testing.T, rep report, id, objName string) *finding {
	t.Helper()
	for i, f := range rep.Findings {
		if f.ID == id && (objName == "" || f.Object.Name == objName) {
			return &rep.Findings[i]
		}
	}
	what := id
	if objName != "" {
		what += " about " + objName
	}
	t.Errorf("WAITS ON CHECK %q: expected finding %s; got %v", id, what, rep.ids())
	return nil
}

// forbidFinding fails the test when the report has finding id.
func forbidFinding(t *testing.T, rep report, id string) {
	t.Helper()
	for _, f := range rep.Findings {
		if f.ID == id {
			t.Errorf("unexpected finding %s (%s %s/%s): %s", id, f.Severity, f.Object.Kind, f.Object.Name, f.Summary)
		}
	}
}

// forbidProblems fails the test on any finding of severity warning or error.
func forbidProblems(t *testing.T, rep report) {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Severity == "warning" || f.Severity == "error" {
			t.Errorf("unexpected %s finding %s on %s/%s: %s", f.Severity, f.ID, f.Object.Kind, f.Object.Name, f.Summary)
		}
	}
}

// requireExit checks the exit status; waitsOn names the check whose
// finding decides it ("" when none does).
func requireExit(t *testing.T, got, want int, waitsOn string) {
	t.Helper()
	if got == want {
		return
	}
	if waitsOn != "" {
		t.Errorf("WAITS ON CHECK %q: exit status %d, want %d", waitsOn, got, want)
		return
	}
	t.Errorf("exit status %d, want %d", got, want)
}

// requireMentions fails when none of the finding's summary and evidence
// contains each of words: the evidence must name what a person acts on.
func requireMentions(t *testing.T, f *finding, waitsOn string, words ...string) {
	t.Helper()
	if f == nil {
		return
	}
	text := strings.Join(append([]string{f.Summary}, f.Evidence...), "\n")
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("WAITS ON CHECK %q: finding %s does not mention %q; summary %q, evidence %q", waitsOn, f.ID, w, f.Summary, f.Evidence)
		}
	}
}

// redacted is the command line for the test log, without the value of
// --auth-token (an argocd-server admin token).
func redacted(args []string) string {
	out := slices.Clone(args)
	for i := range out {
		if i > 0 && out[i-1] == "--auth-token" {
			out[i] = "REDACTED"
		}
	}
	return strings.Join(out, " ")
}
