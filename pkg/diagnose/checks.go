// Package diagnose holds the checks: one file per finding id, each a pure
// function over a snapshot.Snapshot, registered in one table, and Run,
// which runs them and says which were silenced by a read that failed.
package diagnose

import (
	"slices"

	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// Category groups checks by what they look at.
type Category string

// Categories of checks.
const (
	CategoryApp       Category = "app"
	CategoryNamespace Category = "namespace"
	CategoryInstall   Category = "install"
	CategorySecurity  Category = "security"
)

// Check inspects a Snapshot and returns what it found. Its ID is the id of
// the findings it makes and Severity their severity.
type Check struct {
	ID       string
	Severity report.Severity
	Category Category
	// Needs are the sources without which the check cannot conclude:
	// Run skips it when one was not read.
	Needs []snapshot.Source
	// Uses are sources the check reads when it can: a failed read leaves
	// it running on what was read, and reported as limited.
	Uses []snapshot.Source
	// ClusterWide: the check judges what every installation's view shares
	// (namespaces, CRDs), not the view's own apps or installation, so it
	// runs in the first view only (Run).
	ClusterWide bool
	Run         func(s *snapshot.Snapshot) []report.Finding
}

// Checks is the table of every check, run in this order.
func Checks() []Check {
	return []Check{
		{ID: "project-missing", Severity: report.SeverityError, Category: CategoryApp, Run: checkProjectMissing,
			Needs: []snapshot.Source{snapshot.Projects}, Uses: []snapshot.Source{snapshot.OtherInstallations}},
		{ID: "app-unwatched", Severity: report.SeverityError, Category: CategoryApp, Run: checkAppUnwatched,
			Needs: []snapshot.Source{snapshot.CmdParams, snapshot.OtherInstallations}},
		{ID: "destination-missing", Severity: report.SeverityError, Category: CategoryApp, Run: checkDestinationMissing,
			Needs: []snapshot.Source{snapshot.Clusters}, Uses: []snapshot.Source{snapshot.Settings, snapshot.OtherInstallations}},
		{ID: "app-deletion-stuck", Severity: report.SeverityError, Category: CategoryApp, Run: checkAppDeletionStuck,
			Uses: []snapshot.Source{snapshot.Projects, snapshot.Clusters, snapshot.CmdParams, snapshot.Live, snapshot.Controller}},
		{ID: "operation-stuck", Severity: report.SeverityWarning, Category: CategoryApp, Run: checkOperationStuck,
			Uses: []snapshot.Source{snapshot.Live, snapshot.Controller}},
		{ID: "sync-failed", Severity: report.SeverityError, Category: CategoryApp, Run: checkSyncFailed},
		{ID: "project-denied", Severity: report.SeverityError, Category: CategoryApp, Run: checkProjectDenied,
			Needs: []snapshot.Source{snapshot.Projects}, Uses: []snapshot.Source{snapshot.Clusters}},
		{ID: "comparison-error", Severity: report.SeverityError, Category: CategoryApp, Run: checkComparisonError,
			Uses: []snapshot.Source{snapshot.RepoServerSettings, snapshot.RepoCredentials}},
		{ID: "hook-stuck", Severity: report.SeverityError, Category: CategoryApp, Run: checkHookStuck,
			Uses: []snapshot.Source{snapshot.Hooks, snapshot.Pods}},
		{ID: "sync-window-blocking", Severity: report.SeverityWarning, Category: CategoryApp, Run: checkSyncWindowBlocking,
			Uses: []snapshot.Source{snapshot.Projects}},
		{ID: "health-progressing-stuck", Severity: report.SeverityWarning, Category: CategoryApp, Run: checkHealthProgressingStuck,
			Uses: []snapshot.Source{snapshot.Live, snapshot.Pods, snapshot.Events, snapshot.Settings, snapshot.IngressClasses}},
		{ID: "health-degraded", Severity: report.SeverityError, Category: CategoryApp, Run: checkHealthDegraded,
			Uses: []snapshot.Source{snapshot.Live, snapshot.Pods, snapshot.Events, snapshot.Settings}},
		{ID: "outofsync-after-sync", Severity: report.SeverityWarning, Category: CategoryApp, Run: checkOutOfSyncAfterSync,
			Needs: []snapshot.Source{snapshot.Live}},
		{ID: "config-stale", Severity: report.SeverityWarning, Category: CategoryApp, Run: checkConfigStale,
			Needs: []snapshot.Source{snapshot.Live, snapshot.Pods, snapshot.ConfigObjects}},
		{ID: "shared-resource", Severity: report.SeverityWarning, Category: CategoryApp, Run: checkSharedResource,
			Uses: []snapshot.Source{snapshot.AllApplications, snapshot.Clusters}},
		{ID: "orphaned-resources", Severity: report.SeverityInfo, Category: CategoryApp, Run: checkOrphanedResources},
		{ID: "project-deleting", Severity: report.SeverityWarning, Category: CategoryApp, Run: checkProjectDeleting,
			Needs: []snapshot.Source{snapshot.Projects}, Uses: []snapshot.Source{snapshot.AllApplications}},
		{ID: "refresh-pending", Severity: report.SeverityInfo, Category: CategoryApp, Run: checkRefreshPending,
			Uses: []snapshot.Source{snapshot.Controller}},
		{ID: "stale-pods", Severity: report.SeverityWarning, Category: CategoryApp, Run: checkStalePods,
			Needs: []snapshot.Source{snapshot.Pods}, Uses: []snapshot.Source{snapshot.Nodes}},
		{ID: "ghost-pods", Severity: report.SeverityWarning, Category: CategoryApp, Run: checkGhostPods,
			Needs: []snapshot.Source{snapshot.ArgoCDServer, snapshot.Pods}, Uses: []snapshot.Source{snapshot.ControllerWorkloads, snapshot.Clusters}},
		{ID: "applicationset-error", Severity: report.SeverityError, Category: CategoryApp, Run: checkApplicationSetError,
			Needs: []snapshot.Source{snapshot.AppSets}, Uses: []snapshot.Source{snapshot.CmdParams, snapshot.Projects, snapshot.AllApplications}},
		{ID: "namespace-terminating", Severity: report.SeverityError, Category: CategoryNamespace, Run: checkNamespaceTerminating, ClusterWide: true,
			Needs: []snapshot.Source{snapshot.Namespaces},
			Uses:  []snapshot.Source{snapshot.NamespaceContents, snapshot.AllApplications, snapshot.Settings}},
		{ID: "crd-terminating", Severity: report.SeverityError, Category: CategoryInstall, Run: checkCRDTerminating, ClusterWide: true,
			Needs: []snapshot.Source{snapshot.CRDs}, Uses: []snapshot.Source{snapshot.Projects, snapshot.AllApplications}},
		// The installation audit (diagnose install): collect_install.go's sources.
		{ID: "component-unavailable", Severity: report.SeverityError, Category: CategoryInstall, Run: checkComponentUnavailable,
			Needs: []snapshot.Source{snapshot.InstallWorkloads}, Uses: []snapshot.Source{snapshot.InstallPods}},
		{ID: "argocd-config-stale", Severity: report.SeverityWarning, Category: CategoryInstall, Run: checkArgoCDConfigStale,
			Needs: []snapshot.Source{snapshot.InstallWorkloads, snapshot.InstallPods, snapshot.InstallConfig}},
		{ID: "controller-replicas-mismatch", Severity: report.SeverityError, Category: CategoryInstall, Run: checkControllerReplicasMismatch,
			Needs: []snapshot.Source{snapshot.InstallWorkloads}},
		{ID: "server-replicas-unset", Severity: report.SeverityInfo, Category: CategoryInstall, Run: checkServerReplicasUnset,
			Needs: []snapshot.Source{snapshot.InstallWorkloads}},
		{ID: "controller-undersized", Severity: report.SeverityWarning, Category: CategoryInstall, Run: checkControllerUndersized,
			Needs: []snapshot.Source{snapshot.InstallWorkloads}, Uses: []snapshot.Source{snapshot.AllApplications, snapshot.InstallConfig}},
		{ID: "shard-imbalance", Severity: report.SeverityWarning, Category: CategoryInstall, Run: checkShardImbalance,
			Needs: []snapshot.Source{snapshot.InstallWorkloads, snapshot.Clusters}, Uses: []snapshot.Source{snapshot.AllApplications, snapshot.InstallConfig}},
		{ID: "repo-server-single", Severity: report.SeverityInfo, Category: CategoryInstall, Run: checkRepoServerSingle,
			Needs: []snapshot.Source{snapshot.InstallWorkloads}, Uses: []snapshot.Source{snapshot.AllApplications, snapshot.InstallConfig}},
		{ID: "monorepo-without-paths", Severity: report.SeverityWarning, Category: CategoryInstall, Run: checkMonorepoWithoutPaths,
			Needs: []snapshot.Source{snapshot.InstallWorkloads}, Uses: []snapshot.Source{snapshot.AllApplications}},
		{ID: "cache-resync", Severity: report.SeverityInfo, Category: CategoryInstall, Run: checkCacheResync,
			Needs: []snapshot.Source{snapshot.InstallWorkloads}, Uses: []snapshot.Source{snapshot.AllApplications}},
		{ID: "version-skew", Severity: report.SeverityWarning, Category: CategoryInstall, Run: checkVersionSkew,
			Needs: []snapshot.Source{snapshot.InstallWorkloads}, Uses: []snapshot.Source{snapshot.ServerVersion, snapshot.CRDs}},
		// The security audit (diagnose security): argocd-cm, argocd-rbac-cm,
		// argocd-cmd-params-cm and cluster Secrets as the install view reads them.
		{ID: "exec-enabled", Severity: report.SeverityWarning, Category: CategorySecurity, Run: checkExecEnabled,
			Needs: []snapshot.Source{snapshot.InstallConfig}},
		{ID: "admin-enabled", Severity: report.SeverityWarning, Category: CategorySecurity, Run: checkAdminEnabled,
			Needs: []snapshot.Source{snapshot.InstallConfig}},
		{ID: "anonymous-enabled", Severity: report.SeverityError, Category: CategorySecurity, Run: checkAnonymousEnabled,
			Needs: []snapshot.Source{snapshot.InstallConfig}},
		{ID: "default-policy-broad", Severity: report.SeverityWarning, Category: CategorySecurity, Run: checkDefaultPolicyBroad,
			Needs: []snapshot.Source{snapshot.InstallConfig}},
		{ID: "auth-disabled", Severity: report.SeverityError, Category: CategorySecurity, Run: checkAuthDisabled,
			Needs: []snapshot.Source{snapshot.InstallConfig}},
		{ID: "server-insecure", Severity: report.SeverityInfo, Category: CategorySecurity, Run: checkServerInsecure,
			Needs: []snapshot.Source{snapshot.InstallConfig}},
		{ID: "oidc-insecure", Severity: report.SeverityWarning, Category: CategorySecurity, Run: checkOIDCInsecure,
			Needs: []snapshot.Source{snapshot.InstallConfig}},
		{ID: "legacy-sa-token", Severity: report.SeverityWarning, Category: CategorySecurity, Run: checkLegacySAToken,
			Needs: []snapshot.Source{snapshot.Clusters, snapshot.InstallConfig}},
	}
}

// Run runs the checks over the Snapshot, skipping those whose needed
// sources were not read, and reports the Snapshot's read problems with the
// checks each one skipped or limited. With several Argo CD installations
// it runs them once per installation's view (Snapshot.Views), so that each
// app is judged against the projects and settings of the one watching it.
func Run(s *snapshot.Snapshot, checks []Check) (findings []report.Finding, incomplete []report.ReadProblem) {
	for i, view := range s.Views() {
		viewFindings, viewIncomplete := runView(view, checks, i == 0)
		findings = append(findings, viewFindings...)
		incomplete = append(incomplete, viewIncomplete...)
	}
	return findings, incomplete
}

// runView runs the checks over one installation's view; the cluster-wide
// ones only in the first.
func runView(s *snapshot.Snapshot, checks []Check, first bool) (findings []report.Finding, incomplete []report.ReadProblem) {
	for _, c := range checks {
		if !c.runnable(s) || c.ClusterWide && !first {
			continue
		}
		for _, f := range c.Run(s) {
			findings = append(findings, c.complete(f))
		}
	}
	findings = withoutIgnored(s, findings)
	for _, p := range s.Problems {
		incomplete = append(incomplete, affected(s, p, checks))
	}
	return findings, incomplete
}

// complete fills in what the registry says of every finding of the
// check, so that no check restates it: its severity (a check sets one
// only to differ, as a deletion not yet stuck is info) and its docs page.
func (c Check) complete(f report.Finding) report.Finding {
	if f.ID == "" {
		f.ID = c.ID
	}
	if f.Severity == "" {
		f.Severity = c.Severity
	}
	if f.Docs == "" {
		f.Docs = report.DocsURL(f.ID)
	}
	return f
}

// runnable tells whether every source the check needs was read.
func (c Check) runnable(s *snapshot.Snapshot) bool {
	for _, src := range c.Needs {
		if !s.Has(src) {
			return false
		}
	}
	return true
}

// affected turns a read problem into the report's form: the checks it kept
// from running, and those that ran on what could be read.
func affected(s *snapshot.Snapshot, p snapshot.ReadProblem, checks []Check) report.ReadProblem {
	out := report.ReadProblem{Verb: p.Verb, Resource: p.Resource, Namespace: p.Namespace, Error: p.Error}
	if p.Source == "" {
		return out
	}
	for _, c := range checks {
		switch {
		case slices.Contains(c.Needs, p.Source) && !c.runnable(s):
			out.Skipped = append(out.Skipped, c.ID)
		case slices.Contains(c.Needs, p.Source), slices.Contains(c.Uses, p.Source):
			out.Limited = append(out.Limited, c.ID)
		}
	}
	slices.Sort(out.Skipped)
	slices.Sort(out.Limited)
	return out
}
