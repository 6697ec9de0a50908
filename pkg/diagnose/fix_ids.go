package diagnose

// FixIDs are the ids of every fix a check may propose, which `fix
// --only` accepts; catalogue_test.go checks them against the checks'
// source and docs/fixes.md.
var FixIDs = []string{
	"allow-destination", "allow-source-repo", "approve-deletion", "create-project",
	"delete-apiservice", "finalize-namespace", "force-delete-pods", "health-override",
	"ignore-differences", "invalidate-cache", "processors", "refresh",
	"remove-finalizers", "restart-controller", "rollout-restart", "set-controller-replicas",
	"set-project", "terminate-operation",
}
