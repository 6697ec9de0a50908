package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// checkDestinationMissing reports Applications whose destination matches no
// registered cluster: no cluster Secret with that server URL or name, and
// not the in-cluster destination (or in-cluster is disabled in argocd-cm).
func checkDestinationMissing(s *Snapshot) []Finding {
	if !s.ClustersRead {
		return nil
	}
	var findings []Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		problem := destinationProblem(s, app.Spec.Destination)
		if problem == "" {
			continue
		}
		findings = append(findings, destinationMissingFinding(s, app, problem))
	}
	return findings
}

// destinationProblem says why a destination resolves to no cluster, or
// returns "" when it resolves. It follows Argo CD's own lookup: a cluster
// Secret wins over the built-in in-cluster entry.
func destinationProblem(s *Snapshot, d argocd.Destination) string {
	switch {
	case d.Server != "" && d.Name != "":
		return "destination sets both server and name; Argo CD accepts only one"
	case d.Server != "":
		for _, c := range s.Clusters {
			if sameServer(c.Server, d.Server) {
				return ""
			}
		}
		if sameServer(d.Server, argocd.InClusterServer) {
			if s.Settings.InClusterEnabled {
				return ""
			}
			return fmt.Sprintf("destination server %s is the in-cluster destination, which argocd-cm disables (cluster.inClusterEnabled: \"false\")", d.Server)
		}
		return fmt.Sprintf("no cluster Secret has server %s", d.Server)
	case d.Name != "":
		for _, c := range s.Clusters {
			if c.Name == d.Name {
				return ""
			}
		}
		if d.Name == argocd.InClusterName {
			if s.Settings.InClusterEnabled {
				return ""
			}
			return "destination name in-cluster refers to the in-cluster destination, which argocd-cm disables (cluster.inClusterEnabled: \"false\")"
		}
		return fmt.Sprintf("no cluster Secret has name %s", d.Name)
	default:
		return "destination sets neither server nor name"
	}
}

// sameServer compares cluster URLs the way users write them, with or
// without a trailing slash.
func sameServer(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

func destinationMissingFinding(s *Snapshot, app *argocd.Application, problem string) Finding {
	d := app.Spec.Destination
	target := d.Server
	if target == "" {
		target = d.Name
	}
	f := Finding{
		ID:       "destination-missing",
		Severity: SeverityError,
		Object:   appRef(app),
		Summary:  fmt.Sprintf("Application deploys to cluster %s, which Argo CD does not know: %s", target, problem),
		Docs:     DocsURL("destination-missing"),
	}
	for _, c := range app.Status.Conditions {
		if isDestinationMessage(c.Message) {
			f.addCondition(c)
		}
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("spec.destination: server=%q name=%q namespace=%q", d.Server, d.Name, d.Namespace))
	f.Evidence = append(f.Evidence, registeredClusters(s))
	if app.DeletionTimestamp != nil {
		f.Evidence = append(f.Evidence, "the app is being deleted: with its cluster unresolvable the controller removes the finalizer and leaves the resources in place (orphaned)")
	}
	f.Fixes = append(f.Fixes, Fix{
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

func registeredClusters(s *Snapshot) string {
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
