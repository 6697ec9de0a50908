package cli

import (
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func TestUseColor(t *testing.T) {
	tests := []struct {
		flag, noColor string
		want          bool
		wantErr       bool
	}{
		{"auto", "", false, false}, // a buffer is not a terminal
		{"always", "1", true, false},
		{"never", "", false, false},
		{"auto", "1", false, false},
		{"sometimes", "", false, true},
	}
	for _, tt := range tests {
		streams, _, _, _ := genericiooptions.NewTestIOStreams()
		o := &RootOptions{Streams: streams, Color: tt.flag, Getenv: func(string) string { return tt.noColor }}
		got, err := o.UseColor()
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("--color=%s NO_COLOR=%q: got %v, %v", tt.flag, tt.noColor, got, err)
		}
	}
}

func TestBadFlagsAreBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"diagnose", "app", "x", "--bogus"},
		{"diagnose", "app"},
		{"diagnose", "app", "x", "-o", "xml", "--server", "https://127.0.0.1:1"},
		{"diagnose", "-A", "--fail-on", "sometimes", "--server", "https://127.0.0.1:1"},
		{"diagnose", "namespace", "x", "--color", "rainbow", "--server", "https://127.0.0.1:1"},
	} {
		streams, _, _, _ := genericiooptions.NewTestIOStreams()
		cmd := NewRootCmd(streams, BuildInfo{}, "kubectl argofix")
		cmd.SetArgs(args)
		if code := ExitCode(cmd.Execute()); code != ExitBadInput {
			t.Errorf("%v: exit %d, want %d", args, code, ExitBadInput)
		}
	}
}

func TestVersion(t *testing.T) {
	streams, _, out, _ := genericiooptions.NewTestIOStreams()
	cmd := NewRootCmd(streams, BuildInfo{Version: "v1.2.3", Commit: "abc", Date: "today"}, "kubectl argofix")
	cmd.SetArgs([]string{"version"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "v1.2.3") {
		t.Errorf("version output %q", out.String())
	}
	streams, _, out, _ = genericiooptions.NewTestIOStreams()
	cmd = NewRootCmd(streams, BuildInfo{}, "kubectl argofix")
	cmd.SetArgs([]string{"completion", "bash"})
	if err := cmd.Execute(); err != nil || !strings.Contains(out.String(), "__kubectl-argofix_debug") {
		t.Errorf("completion bash: %v", err)
	}
}
