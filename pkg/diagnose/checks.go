package diagnose

import "sort"

// Check inspects a Snapshot and returns what it found. Its name is the id
// of the findings it makes.
type Check struct {
	ID  string
	Run func(s *Snapshot) []Finding
	// Needs names the parts of the Snapshot the check relies on, so that a
	// read that failed can be reported as the checks it silenced.
	Needs []string
}

// Parts of a Snapshot that may be missing when a read is forbidden.
const (
	NeedsProjects = "appprojects"
	NeedsClusters = "secrets"
)

// Checks is the table of every check, run in this order.
func Checks() []Check {
	return []Check{
		{ID: "project-missing", Run: checkProjectMissing, Needs: []string{NeedsProjects}},
		{ID: "destination-missing", Run: checkDestinationMissing, Needs: []string{NeedsClusters}},
		{ID: "app-deletion-stuck", Run: checkAppDeletionStuck},
		{ID: "operation-stuck", Run: checkOperationStuck},
		{ID: "sync-failed", Run: checkSyncFailed},
		{ID: "shared-resource", Run: checkSharedResource},
		{ID: "orphaned-resources", Run: checkOrphanedResources},
		{ID: "project-deleting", Run: checkProjectDeleting, Needs: []string{NeedsProjects}},
		{ID: "refresh-pending", Run: checkRefreshPending},
		{ID: "stale-pods", Run: checkStalePods},
		{ID: "namespace-terminating", Run: checkNamespaceTerminating},
		{ID: "crd-terminating", Run: checkCRDTerminating},
	}
}

// Run runs every check over the Snapshot.
func Run(s *Snapshot, checks []Check) []Finding {
	var findings []Finding
	for _, c := range checks {
		findings = append(findings, c.Run(s)...)
	}
	return findings
}

// SkippedBy returns the ids of the checks that need the given part.
func SkippedBy(part string, checks []Check) []string {
	var ids []string
	for _, c := range checks {
		for _, n := range c.Needs {
			if n == part {
				ids = append(ids, c.ID)
			}
		}
	}
	sort.Strings(ids)
	return ids
}
