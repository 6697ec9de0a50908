package diagnose

import (
	"fmt"
	"slices"
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
	owners := sharedOwners(s)
	var findings []report.Finding
	for i := range s.Applications {
		if f, ok := sharedResourceFinding(s, &s.Applications[i], owners); ok {
			findings = append(findings, f)
		}
	}
	return findings
}

// sharedOwners maps every live object to the Applications (namespace/name)
// whose status.resources list it, hooks aside, each app once.
func sharedOwners(s *snapshot.Snapshot) map[sharedKey][]string {
	owners := map[sharedKey][]string{}
	apps := s.AllApps()
	for i := range apps {
		a := &apps[i]
		seen := map[sharedKey]bool{}
		for _, r := range a.Status.Resources {
			if r.Hook {
				continue
			}
			k := newSharedKey(s, a, r)
			if !seen[k] {
				seen[k] = true
				owners[k] = append(owners[k], a.Namespace+"/"+a.Name)
			}
		}
	}
	return owners
}

func sharedResourceFinding(s *snapshot.Snapshot, app *argocd.Application, owners map[sharedKey][]string) (report.Finding, bool) {
	conds := sharedResourceConditions(app)
	shared, evidence := sharedObjects(s, app, owners)
	if len(conds) == 0 && len(shared) == 0 {
		return report.Finding{}, false
	}
	f := report.Finding{
		ID:     "shared-resource",
		Object: appRef(app),
	}
	for _, c := range conds {
		addCondition(&f, c)
	}
	f.Evidence = append(f.Evidence, evidence...)
	if len(shared) > 0 {
		sort.Strings(shared)
		f.Summary = fmt.Sprintf("Application manages %s another Application also manages; each sync of one undoes the other: %s",
			plural(len(shared), "object"), strings.Join(shared, "; "))
	} else {
		f.Summary = "Application manages an object another Application also manages: " + conds[0].Message
	}
	return f, true
}

// sharedResourceConditions: Argo CD's own SharedResourceWarning, which it
// raises when an object's tracking points at another app.
func sharedResourceConditions(app *argocd.Application) []argocd.ApplicationCondition {
	var conds []argocd.ApplicationCondition
	for _, c := range app.Status.Conditions {
		if c.Type == "SharedResourceWarning" {
			conds = append(conds, c)
		}
	}
	return conds
}

// sharedObjects: objects in the app's status.resources that another app
// lists too, each named with the other apps, and an evidence line each.
func sharedObjects(s *snapshot.Snapshot, app *argocd.Application, owners map[sharedKey][]string) (shared, evidence []string) {
	self := app.Namespace + "/" + app.Name
	seen := map[sharedKey]bool{}
	for _, r := range app.Status.Resources {
		k := newSharedKey(s, app, r)
		if r.Hook || seen[k] || len(owners[k]) < 2 {
			continue
		}
		seen[k] = true
		others := slices.DeleteFunc(slices.Clone(owners[k]), func(o string) bool { return o == self })
		ref := report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
		shared = append(shared, fmt.Sprintf("%s (also in Application %s)", ref, strings.Join(others, ", ")))
		evidence = append(evidence, sharedObjectEvidence(s, app, r, owners[k]))
	}
	return shared, evidence
}

// sharedObjectEvidence names the apps listing one object and, when it was
// read, the tracking id that says which app last applied it.
func sharedObjectEvidence(s *snapshot.Snapshot, app *argocd.Application, r argocd.ResourceStatus, owners []string) string {
	ref := report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
	line := fmt.Sprintf("%s is in status.resources of Applications %s", ref, strings.Join(owners, " and "))
	if obj, _ := s.LiveObject(app, r); obj != nil {
		if v := obj.GetAnnotations()[argocd.TrackingIDAnnotation]; v != "" {
			line += fmt.Sprintf("; its %s is %s", argocd.TrackingIDAnnotation, v)
		}
	}
	return line
}

// sharedKey identifies one live object across clusters.
type sharedKey struct {
	Cluster, Group, Kind, Namespace, Name string
}

// newSharedKey is the key of a resource an app manages, on the app's
// destination cluster.
func newSharedKey(s *snapshot.Snapshot, app *argocd.Application, r argocd.ResourceStatus) sharedKey {
	return sharedKey{Cluster: clusterKey(s, app.Spec.Destination), Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
}

// clusterKey names a destination's cluster for comparing apps: its URL,
// or its unresolved name.
func clusterKey(s *snapshot.Snapshot, d argocd.Destination) string {
	if server, ok := argocd.DestinationServer(d, s.Clusters); ok {
		return server
	}
	return "name:" + d.Name
}
