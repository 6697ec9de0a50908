package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkSharedResource reports apps that manage an object another app also
// manages: Argo CD's SharedResourceWarning condition, or the same live
// object (group/kind/namespace/name on the same cluster) in the
// status.resources of two Applications. One finding per app.
func checkSharedResource(s *snapshot.Snapshot) []report.Finding {
	owners := map[sharedKey][]string{}
	apps := s.AllApps()
	for i := range apps {
		a := &apps[i]
		seen := map[sharedKey]bool{}
		for _, r := range a.Status.Resources {
			if r.Hook {
				continue
			}
			k := sharedKey{Cluster: clusterKey(s, a.Spec.Destination), Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
			if !seen[k] {
				seen[k] = true
				owners[k] = append(owners[k], a.Namespace+"/"+a.Name)
			}
		}
	}
	var findings []report.Finding
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
			k := sharedKey{Cluster: clusterKey(s, app.Spec.Destination), Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
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
			ref := report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
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
		f := report.Finding{
			ID:       "shared-resource",
			Severity: report.SeverityWarning,
			Object:   appRef(app),
			Docs:     report.DocsURL("shared-resource"),
		}
		for _, c := range conds {
			addCondition(&f, c)
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

// clusterKey names a destination's cluster for comparing apps: its URL,
// or its unresolved name.
func clusterKey(s *snapshot.Snapshot, d argocd.Destination) string {
	if server, ok := argocd.DestinationServer(d, s.Clusters); ok {
		return server
	}
	return "name:" + d.Name
}
