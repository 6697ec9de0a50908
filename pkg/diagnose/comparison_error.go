package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// repoServerEnv are the repo-server variables that govern manifest
// generation, with Argo CD v2.14's defaults.
var repoServerEnv = []struct{ name, def string }{
	{"ARGOCD_EXEC_TIMEOUT", "90s"},
	{"ARGOCD_PAUSE_GEN_AFTER_FAILED_ATTEMPTS", "3"},
	{"ARGOCD_PAUSE_GEN_MINUTES", "60"},
	{"ARGOCD_PAUSE_GEN_REQUESTS", "0"},
	{"ARGOCD_HELM_ALLOW_CONCURRENCY", "false"},
}

// repoServerParamDefaults are argocd-cmd-params-cm's defaults.
var repoServerParamDefaults = map[string]string{
	"controller.repo.server.timeout.seconds":               "60",
	"server.repo.server.timeout.seconds":                   "60",
	"applicationsetcontroller.repo.server.timeout.seconds": "60",
	"reposerver.parallelism.limit":                         "0 (unlimited)",
	"controller.repo.error.grace.period.seconds":           "180",
}

// checkComparisonError reports Applications that cannot even be compared
// (a ComparisonError condition), or whose last sync failed because the
// cluster does not serve a kind they deploy (a CRD not installed), with
// the cause and advice that fits it.
func checkComparisonError(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		var conds []argocd.ApplicationCondition
		for _, c := range app.Status.Conditions {
			if c.Type == "ComparisonError" {
				conds = append(conds, c)
			}
		}
		missing := crdMissingResults(app)
		if len(conds) == 0 && len(missing) == 0 {
			continue
		}
		findings = append(findings, comparisonErrorFinding(s, app, conds, missing))
	}
	return findings
}

// crdMissingResults are the last sync's results that failed because the
// kind is not served (no new operation requested since).
func crdMissingResults(app *argocd.Application) []argocd.ResourceResult {
	op := app.Status.OperationState
	if op == nil || op.SyncResult == nil || app.Operation != nil || (op.Phase != argocd.PhaseFailed && op.Phase != argocd.PhaseError) {
		return nil
	}
	var out []argocd.ResourceResult
	for _, r := range op.SyncResult.Resources {
		if r.Status == "SyncFailed" && argocd.IsCRDMissing(r.Message) {
			out = append(out, r)
		}
	}
	return out
}

func comparisonErrorFinding(s *snapshot.Snapshot, app *argocd.Application, conds []argocd.ApplicationCondition, missing []argocd.ResourceResult) report.Finding {
	f := report.Finding{
		ID:     "comparison-error",
		Object: appRef(app),
	}
	var causes []string
	addCause := func(c string) {
		if !slices.Contains(causes, c) {
			causes = append(causes, c)
		}
	}
	for _, c := range conds {
		addCondition(&f, c)
		addCause(argocd.ComparisonCause(c.Message))
	}
	if len(missing) > 0 {
		op := app.Status.OperationState
		f.Evidence = append(f.Evidence, fmt.Sprintf("status.operationState.phase %s: %s", op.Phase, op.Message))
		for _, r := range missing {
			f.Evidence = append(f.Evidence, resourceResultEvidence(r))
		}
		if f.Since == nil && op.FinishedAt != nil {
			f.Since = timePtr(op.FinishedAt.Time)
		}
		addCause(argocd.CauseCRDMissing)
	}
	var summary []string
	for _, c := range causes {
		summary = append(summary, comparisonAdvice(s, app, c, missing, &f))
	}
	f.Summary = "Application cannot be compared: " + strings.Join(summary, "; ")
	return f
}

// comparisonAdvice adds the evidence and fixes that fit one cause and
// returns its summary.
func comparisonAdvice(s *snapshot.Snapshot, app *argocd.Application, cause string, missing []argocd.ResourceResult, f *report.Finding) string {
	switch cause {
	case argocd.CauseCRDMissing:
		var kinds []string
		for _, r := range missing {
			k := r.Kind
			if r.Group != "" {
				k += "." + r.Group
			}
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
		f.Evidence = append(f.Evidence, "the destination cluster does not serve the kind: install its CRD first (its own app, or an earlier sync wave), "+
			"or let the dry run skip it with the annotation argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true on the resource")
		if len(kinds) > 0 {
			return fmt.Sprintf("the cluster has no CRD for %s (install it first, or SkipDryRunOnMissingResource=true)", strings.Join(kinds, ", "))
		}
		return "a kind the app deploys has no CRD on the destination cluster (install it first, or SkipDryRunOnMissingResource=true)"
	case argocd.CauseTimeout, argocd.CauseCached:
		repoServerEvidence(s, f)
		addFix(f, hardRefreshFix(app))
		if cause == argocd.CauseCached {
			return "manifest generation failed repeatedly and the repo-server now returns the cached failure (a hard refresh clears it)"
		}
		return "manifest generation timed out (a chart or kustomization too large for the repo-server's timeouts)"
	case argocd.CauseAuth:
		repoCredentialEvidence(s, app, f)
		return "the repository refused the repo-server's credentials"
	case argocd.CausePathMissing:
		for _, src := range app.SourceList() {
			f.Evidence = append(f.Evidence, fmt.Sprintf("source repo %s, path %q, targetRevision %q: check that the path exists at that revision", src.RepoURL, src.Path, src.TargetRevision))
		}
		addFix(f, hardRefreshFix(app))
		return "the source path does not exist in the repository at the target revision (fix spec.source.path or the revision)"
	case argocd.CauseGeneration:
		addFix(f, hardRefreshFix(app))
		return "manifest generation failed (helm/kustomize/plugin output quoted in the evidence)"
	}
	return "the comparison failed (the condition is quoted in the evidence)"
}

// repoServerEvidence names the settings that govern manifest generation
// with their current values, where they could be read.
func repoServerEvidence(s *snapshot.Snapshot, f *report.Finding) {
	rs := s.RepoServer
	if rs == nil {
		f.Evidence = append(f.Evidence, "the repo-server's settings could not be read: see argocd-cmd-params-cm and the argocd-repo-server Deployment's env")
		return
	}
	var params []string
	keys := make([]string, 0, len(repoServerParamDefaults))
	for k := range repoServerParamDefaults {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v, ok := rs.Params[k]; ok {
			params = append(params, fmt.Sprintf("%s=%s", k, v))
		} else {
			params = append(params, fmt.Sprintf("%s unset (default %s)", k, repoServerParamDefaults[k]))
		}
	}
	f.Evidence = append(f.Evidence, "argocd-cmd-params-cm: "+strings.Join(params, ", ")+
		"; raising ARGOCD_EXEC_TIMEOUT above the callers' timeouts has no effect")
	if len(rs.Workloads) == 0 {
		f.Evidence = append(f.Evidence, fmt.Sprintf("no Deployment labelled app.kubernetes.io/name=argocd-repo-server in namespace %s", s.ArgoCDNamespace))
	}
	for _, w := range rs.Workloads {
		var env []string
		for _, e := range repoServerEnv {
			if v, ok := w.Env[e.name]; ok {
				env = append(env, fmt.Sprintf("%s=%s", e.name, v))
			} else {
				env = append(env, fmt.Sprintf("%s unset (default %s)", e.name, e.def))
			}
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("Deployment.apps %s/%s: %d replicas; %s; v2.x renders a Helm path one at a time unless it holds a .argocd-allow-concurrency file",
			s.ArgoCDNamespace, w.Name, w.Replicas, strings.Join(env, ", ")))
	}
}

// repoCredentialEvidence names the credential Secrets that match the
// app's repos (by URL, or URL prefix for repo-creds), never their values.
func repoCredentialEvidence(s *snapshot.Snapshot, app *argocd.Application, f *report.Finding) {
	if !s.Has(snapshot.RepoCredentials) {
		f.Evidence = append(f.Evidence, fmt.Sprintf("the repository Secrets of namespace %s could not be read", s.ArgoCDNamespace))
		return
	}
	for _, src := range app.SourceList() {
		repo := argocd.NormalizeRepoURL(src.RepoURL)
		var matches []string
		for _, c := range s.RepoCredentials {
			u := argocd.NormalizeRepoURL(c.URL)
			if u == repo || (c.Type == "repo-creds" && u != "" && strings.HasPrefix(repo, u)) {
				matches = append(matches, fmt.Sprintf("Secret %s/%s (%s, url %s, sets %s)", s.ArgoCDNamespace, c.Name, c.Type, c.URL, listOrNone(c.Keys)))
			}
		}
		if len(matches) == 0 {
			f.Evidence = append(f.Evidence, fmt.Sprintf("repo %s: no repository or repo-creds Secret matches it: the repo-server connects anonymously", src.RepoURL))
			continue
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("repo %s: credentials from %s", src.RepoURL, strings.Join(matches, "; ")))
	}
}

// hardRefreshFix asks the controller for a hard refresh, which regenerates
// the manifests and clears a cached failure.
func hardRefreshFix(app *argocd.Application) report.Fix {
	return report.NewFix("refresh", "low", "ask for a hard refresh: the repo-server regenerates the manifests, bypassing its cache and the error grace period",
		report.AnnotateAction(argocd.ApplicationsResource, appRef(app), "argocd.argoproj.io/refresh", "hard"))
}

func addFix(f *report.Finding, fix report.Fix) {
	for _, have := range f.Fixes {
		if have.ID == fix.ID {
			return
		}
	}
	f.Fixes = append(f.Fixes, fix)
}
