package argocd

import "strings"

// Causes of a ComparisonError (or of a sync that failed for the same
// reason), by the text Argo CD v2.14 writes.
const (
	CauseCRDMissing  = "crd-missing"
	CauseTimeout     = "timeout"
	CauseCached      = "cached"
	CauseAuth        = "auth"
	CausePathMissing = "path-missing"
	CauseGeneration  = "generation"
	CauseOther       = "other"
)

// ComparisonCause sorts a ComparisonError message by its cause.
func ComparisonCause(msg string) string {
	m := strings.ToLower(msg)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(m, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("manifest generation error (cached)"):
		return CauseCached
	case has("context deadline exceeded", "deadlineexceeded", "timeout after", "i/o timeout"):
		return CauseTimeout
	case IsCRDMissing(msg):
		return CauseCRDMissing
	case has("authentication required", "authentication failed", "repository not found", "invalid username or password",
		"permission denied (publickey)", "could not read username", "unable to authenticate"):
		return CauseAuth
	case has("app path does not exist", "no such file or directory"):
		return CausePathMissing
	case has("failed to generate manifest", "helm template", "kustomize build", "failed to load target state", "plugin"):
		return CauseGeneration
	}
	return CauseOther
}

// IsCRDMissing tells whether a message says the API server does not serve
// a kind the app deploys.
func IsCRDMissing(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "could not find the requested resource") ||
		(strings.Contains(m, "make sure the") && strings.Contains(m, "crd is installed")) ||
		strings.Contains(m, "no matches for kind")
}
