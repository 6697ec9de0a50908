package cli

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestExplainReadError(t *testing.T) {
	apps := schema.GroupResource{Group: "argoproj.io", Resource: "applications"}
	forbidden := apierrors.NewForbidden(apps, "guestbook", errors.New(`User "reader" cannot get resource "applications" in API group "argoproj.io" in the namespace "argocd"`))
	tests := []struct {
		name     string
		err      error
		wantCode int
		wantText []string
	}{
		{"app not found", &snapshot.AppNotFoundError{Namespace: "argocd", Name: "x", Closest: []string{"xy"}}, ExitBadInput,
			[]string{`Application "x" not found in namespace "argocd"`, "did you mean xy?"}},
		{"not installed", &snapshot.NotInstalledError{}, ExitUnreadable, []string{"(no applications.argoproj.io)"}},
		{"unauthorized", apierrors.NewUnauthorized("token expired"), ExitUnreadable, []string{`context "prod"`, "401"}},
		{"forbidden", fmt.Errorf("get Application argocd/guestbook: %w", forbidden), ExitUnreadable, []string{"may not get applications.argoproj.io"}},
		{"unreachable", &url.Error{Op: "Get", URL: "https://127.0.0.1:1", Err: syscall.ECONNREFUSED}, ExitUnreadable,
			[]string{`cannot reach the cluster of context "prod"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := explainReadError(tt.err, "prod")
			if code := ExitCode(got); code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(got.Error(), want) {
					t.Errorf("%q lacks %q", got.Error(), want)
				}
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	if ExitCode(nil) != ExitOK {
		t.Error("nil is not 0")
	}
	if ExitCode(&ExitError{Code: ExitFindings}) != ExitFindings {
		t.Error("findings are not 1")
	}
	if ExitCode(errors.New("unknown flag")) != ExitBadInput {
		t.Error("plain errors are not bad input")
	}
}
