package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// checkSharedResource reports apps that manage an object another app also
// manages: Argo CD's SharedResourceWarning condition, or the same live
// object (group/kind/namespace/name on the same cluster) in the
// status.resources of two Applications. One finding per app.
func checkSharedResource(s *Snapshot) []Finding {
	owners := map[sharedKey][]string{}
	apps := allApplications(s)
	for i := range apps {
		a := &apps[i]
		seen := map[sharedKey]bool{}
		for _, r := range a.Status.Resources {
			if r.Hook {
				continue
			}
			k := sharedKey{Cluster: destinationServer(s, a.Spec.Destination), Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
			if !seen[k] {
				seen[k] = true
				owners[k] = append(owners[k], a.Namespace+"/"+a.Name)
			}
		}
	}
	var findings []Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		self := app.Namespace + "/" + app.Name
		var conds []argocd.ApplicationCondition
		for _, c := range app.Status.Conditions {
			if c.Type == "SharedResourceWarning" {
				conds = append(conds, c)
			}
		}
		var shared []string
		var evidence []string
		seen := map[sharedKey]bool{}
		for _, r := range app.Status.Resources {
			k := sharedKey{Cluster: destinationServer(s, app.Spec.Destination), Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
			if r.Hook || seen[k] || len(owners[k]) < 2 {
				continue
			}
			seen[k] = true
			var others []string
			for _, o := range owners[k] {
				if o != self {
					others = append(others, o)
				}
			}
			ref := ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
			shared = append(shared, fmt.Sprintf("%s (also in Application %s)", ref, strings.Join(others, ", ")))
			line := fmt.Sprintf("%s is in status.resources of Applications %s", ref, strings.Join(owners[k], " and "))
			if obj, _ := s.LiveObject(app, r); obj != nil {
				if v := obj.GetAnnotations()[argocd.TrackingIDAnnotation]; v != "" {
					line += fmt.Sprintf("; its %s is %s", argocd.TrackingIDAnnotation, v)
				}
			}
			evidence = append(evidence, line)
		}
		if len(conds) == 0 && len(shared) == 0 {
			continue
		}
		f := Finding{
			ID:       "shared-resource",
			Severity: SeverityWarning,
			Object:   appRef(app),
			Docs:     DocsURL("shared-resource"),
		}
		for _, c := range conds {
			f.addCondition(c)
		}
		f.Evidence = append(f.Evidence, evidence...)
		switch {
		case len(shared) > 0:
			sort.Strings(shared)
			f.Summary = fmt.Sprintf("Application manages %s another Application also manages; each sync of one undoes the other: %s",
				plural(len(shared), "object"), strings.Join(shared, "; "))
		default:
			f.Summary = "Application manages an object another Application also manages: " + conds[0].Message
		}
		findings = append(findings, f)
	}
	return findings
}

// sharedKey identifies one live object across clusters.
type sharedKey struct {
	Cluster, Group, Kind, Namespace, Name string
}

// destinationServer resolves a destination to its cluster URL, through the
// cluster Secrets when it names the cluster.
func destinationServer(s *Snapshot, d argocd.Destination) string {
	if d.Server != "" {
		return strings.TrimSuffix(d.Server, "/")
	}
	for _, c := range s.Clusters {
		if c.Name == d.Name {
			return strings.TrimSuffix(c.Server, "/")
		}
	}
	if d.Name == argocd.InClusterName {
		return argocd.InClusterServer
	}
	return "name:" + d.Name
}
