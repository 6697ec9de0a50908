package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkDestinationMissing reports Applications whose destination matches no
// registered cluster: no cluster Secret with that server URL or name, and
// not the in-cluster destination (or in-cluster is disabled in argocd-cm).
func checkDestinationMissing(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		problem := argocd.DestinationProblem(app.Spec.Destination, s.Clusters, s.Settings.InClusterEnabled)
		if problem == "" {
			continue
		}
		findings = append(findings, destinationMissingFinding(s, app, problem))
	}
	return findings
}

func destinationMissingFinding(s *snapshot.Snapshot, app *argocd.Application, problem string) report.Finding {
	d := app.Spec.Destination
	target := d.Server
	if target == "" {
		target = d.Name
	}
	f := report.Finding{
		ID:      "destination-missing",
		Object:  appRef(app),
		Summary: fmt.Sprintf("Application deploys to cluster %s, which Argo CD does not know: %s", target, problem),
	}
	for _, c := range app.Status.Conditions {
		if isDestinationMessage(c.Message) {
			addCondition(&f, c)
		}
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("spec.destination: server=%q name=%q namespace=%q", d.Server, d.Name, d.Namespace))
	f.Evidence = append(f.Evidence, registeredClusters(s))
	if app.DeletionTimestamp != nil {
		f.Evidence = append(f.Evidence, "the app is being deleted: with its cluster unresolvable the controller removes the finalizer and leaves the resources in place (orphaned)")
	}
	f.Fixes = append(f.Fixes, report.Fix{
		ID:   "register-cluster",
		Risk: "low",
		Description: fmt.Sprintf("register the cluster (argocd cluster add CONTEXT, or a Secret in %s labelled %s=%s with data name, server and config), or correct spec.destination",
			s.ArgoCDNamespace, argocd.SecretTypeLabel, argocd.SecretTypeCluster),
		Command: fmt.Sprintf("kubectl -n %s get secrets -l %s=%s -o custom-columns=NAME:.metadata.name,SERVER:.data.server",
			s.ArgoCDNamespace, argocd.SecretTypeLabel, argocd.SecretTypeCluster),
	})
	return f
}

// isDestinationMessage matches the destination errors of Argo CD v2 and v3.
func isDestinationMessage(msg string) bool {
	for _, m := range []string{"has not been configured", "there are no clusters with this name", "error getting cluster", "is disabled", "not found"} {
		if strings.Contains(msg, m) && strings.Contains(msg, "cluster") {
			return true
		}
	}
	return false
}

func registeredClusters(s *snapshot.Snapshot) string {
	var names []string
	if s.Settings.InClusterEnabled {
		names = append(names, fmt.Sprintf("%s (%s, built in)", argocd.InClusterName, argocd.InClusterServer))
	}
	for _, c := range s.Clusters {
		name := c.Name
		if name == "" {
			name = "(no name)"
		}
		names = append(names, fmt.Sprintf("%s (%s, Secret %s)", name, c.Server, c.SecretName))
	}
	if len(names) == 0 {
		return "registered clusters: none (in-cluster is disabled and no cluster Secret exists)"
	}
	return "registered clusters: " + strings.Join(names, "; ")
}
