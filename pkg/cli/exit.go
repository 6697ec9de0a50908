package cli

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// Exit statuses, as documented in the README.
const (
	ExitOK         = 0
	ExitFindings   = 1
	ExitBadInput   = 2
	ExitUnreadable = 3
)

// ExitError carries the exit status main should use. A nil Err means the
// command already said everything (findings above --fail-on).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode picks the exit status for an error returned by a command.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		return exit.Code
	}
	return ExitBadInput
}

func badInput(format string, args ...any) error {
	return &ExitError{Code: ExitBadInput, Err: fmt.Errorf(format, args...)}
}

// explainReadError turns what the API said into what the user should know
// and do, with the exit status that goes with it.
func explainReadError(err error, kubeContext string) error {
	var notFound *snapshot.AppNotFoundError
	var notInstalled *snapshot.NotInstalledError
	var nsNotFound *snapshot.NamespaceNotFoundError
	var badSelector *snapshot.BadSelectorError
	var badConfig *argocd.ConfigError
	var status apierrors.APIStatus
	switch {
	case errors.As(err, &notFound), errors.As(err, &nsNotFound), errors.As(err, &badSelector), errors.As(err, &badConfig):
		return &ExitError{Code: ExitBadInput, Err: err}
	case errors.As(err, &notInstalled):
		return &ExitError{Code: ExitUnreadable, Err: err}
	case apierrors.IsUnauthorized(err):
		return &ExitError{Code: ExitUnreadable, Err: fmt.Errorf(
			"the cluster of context %q rejected the credentials (401 Unauthorized): log in again or refresh the token in your kubeconfig: %w", kubeContext, err)}
	case apierrors.IsForbidden(err) && errors.As(err, &status):
		return &ExitError{Code: ExitUnreadable, Err: forbiddenError(status, err)}
	case isUnreachable(err):
		return &ExitError{Code: ExitUnreadable, Err: fmt.Errorf(
			"cannot reach the cluster of context %q: %w; check that it is running and that --context/--kubeconfig point at it", kubeContext, err)}
	}
	return &ExitError{Code: ExitUnreadable, Err: err}
}

// forbiddenError names the verb and resource that RBAC refused.
func forbiddenError(status apierrors.APIStatus, err error) error {
	details := status.Status().Details
	resource := "the resource"
	if details != nil {
		resource = details.Kind
		if details.Group != "" {
			resource += "." + details.Group
		}
	}
	verb := verbFromForbidden(err.Error())
	return fmt.Errorf("forbidden: you may not %s %s (%w); ask for an RBAC rule granting %q on %s", verb, resource, err, verb, resource)
}

// verbFromForbidden reads the verb out of the API server's message
// `User "x" cannot list resource ...`.
func verbFromForbidden(msg string) string {
	_, rest, ok := strings.Cut(msg, " cannot ")
	if !ok {
		return "read"
	}
	verb, _, _ := strings.Cut(rest, " ")
	return verb
}

func isUnreachable(err error) bool {
	var urlErr *url.Error
	var netErr *net.OpError
	return errors.As(err, &urlErr) || errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED)
}
