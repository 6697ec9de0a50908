package diagnose

import (
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/health"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// configMapsGVR is the API resource of argocd-cm, for health-override.
var configMapsGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// checkHealthProgressingStuck reports apps whose health has been
// Progressing longer than --stuck-after, naming each managed object that
// is still Progressing by Argo CD's built-in rules computed from the live
// objects, and why. An app whose objects have all become healthy since
// (its status lags) is not reported.
func checkHealthProgressingStuck(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		if app.Status.Health.Status != appHealthProgressing || app.DeletionTimestamp != nil {
			continue
		}
		since, ok := healthSince(app)
		if !ok || !olderThan(s.Now, since, s.StuckAfter) {
			continue
		}
		var holding []objectHealth
		for _, o := range appObjectHealth(s, app) {
			if o.Status == health.Progressing || o.override != "" && o.Status == "" {
				holding = append(holding, o)
			}
		}
		nested := nestedAppEvidence(s, app)
		if len(holding) == 0 && !nestedWaits(s, app) {
			continue
		}
		findings = append(findings, progressingFinding(s, app, since, holding, nested))
	}
	return findings
}

// nestedWaits tells whether an app of apps may be held by its children:
// Argo CD counts them only through a Lua override.
func nestedWaits(s *snapshot.Snapshot, app *argocd.Application) bool {
	_, ok := s.Settings.FindHealthOverride(argocd.Group, "Application")
	return ok && len(nestedApps(app)) > 0
}

func progressingFinding(s *snapshot.Snapshot, app *argocd.Application, start time.Time, holding []objectHealth, nested []string) report.Finding {
	f := report.Finding{ID: "health-progressing-stuck", Object: appRef(app)}
	f.Since = timePtr(start)
	f.Evidence = append(f.Evidence, fmt.Sprintf("status.health.status Progressing since %s (%s)", report.FormatTime(start), formatAge(s.Now.Sub(start))))
	if app.Status.Health.LastTransitionTime == nil {
		f.Evidence[0] = fmt.Sprintf("status.health.status Progressing, at least since the last sync finished at %s (%s)", report.FormatTime(start), formatAge(s.Now.Sub(start)))
	}
	var names []string
	noAddress := map[schema.GroupKind]bool{}
	for _, o := range holding {
		names = append(names, o.res.Kind+" "+o.res.Name)
		f.Evidence = append(f.Evidence, explainObject(s, o)...)
		if o.override == "" && o.obj != nil && o.obj.GetDeletionTimestamp() == nil && o.Status == health.Progressing && waitsOnAddress(o) {
			noAddress[schema.GroupKind{Group: o.res.Group, Kind: o.res.Kind}] = true
		}
	}
	f.Evidence = append(f.Evidence, nested...)
	switch {
	case len(holding) == 0:
		f.Summary = "app has been Progressing for " + formatAge(s.Now.Sub(start)) + ", held by the nested Applications its Lua override waits on"
	default:
		f.Summary = fmt.Sprintf("app has been Progressing for %s; %s still Progressing: %s", formatAge(s.Now.Sub(start)),
			plural(len(holding), "object"), strings.Join(names, ", "))
	}
	for _, gk := range []schema.GroupKind{{Group: "networking.k8s.io", Kind: "Ingress"}, {Group: "extensions", Kind: "Ingress"}, {Kind: "Service"}} {
		if noAddress[gk] {
			if fix, ok := healthOverrideFix(s, gk); ok {
				f.Fixes = append(f.Fixes, fix)
			}
		}
	}
	return f
}

// waitsOnAddress tells an Ingress or LoadBalancer Service that is
// Progressing only because no address was published.
func waitsOnAddress(o objectHealth) bool {
	return (o.res.Kind == "Ingress" || o.res.Kind == "Service") && strings.HasPrefix(o.Message, "status.loadBalancer.ingress is empty")
}

// healthOverrideLua treats every object of the kind as Healthy: for an
// Ingress or a Service, that is "do not wait for a load balancer address".
const healthOverrideLua = `-- argofix health-override: the controller of this kind never publishes
-- status.loadBalancer.ingress, so Argo CD must not wait for an address.
hs = {}
hs.status = "Healthy"
hs.message = "argocd-cm override: no load balancer address is waited for"
return hs
`

// healthOverrideFix adds a Lua health override for the kind to argocd-cm,
// bound to argocd-cm as read (its uid and resourceVersion): a ConfigMap
// changed meanwhile is a conflict. None when argocd-cm was not read, does
// not exist, or already overrides the kind.
func healthOverrideFix(s *snapshot.Snapshot, gk schema.GroupKind) (report.Fix, bool) {
	if !s.Has(snapshot.Settings) || !s.Settings.Found || s.Settings.ConfigMap.UID == "" {
		return report.Fix{}, false
	}
	if _, ok := s.Settings.FindHealthOverride(gk.Group, gk.Kind); ok {
		return report.Fix{}, false
	}
	key := argocd.HealthOverrideKey(gk.Group, gk.Kind)
	ops := []map[string]any{
		{"op": "test", "path": "/metadata/uid", "value": s.Settings.ConfigMap.UID},
		{"op": "test", "path": "/metadata/resourceVersion", "value": s.Settings.ConfigMap.ResourceVersion},
	}
	if !s.Settings.ConfigMap.HasData {
		ops = append(ops, map[string]any{"op": "add", "path": "/data", "value": map[string]string{}})
	}
	ops = append(ops, map[string]any{"op": "add", "path": "/data/" + escapeJSONPointer(key), "value": healthOverrideLua})
	ref := report.ObjectRef{Kind: "ConfigMap", Namespace: s.ArgoCDNamespace, Name: argocd.ConfigMapName}
	what := "every " + gk.Kind
	if gk.Kind == "Service" {
		what = "every Service (LoadBalancer ones included)"
	}
	return report.NewFix("health-override", "medium",
		fmt.Sprintf("add the argocd-cm key %s, a Lua health check that reports %s in every app as Healthy without waiting for a load balancer address; it also hides a real missing address, so prefer making the controller publish it", key, what),
		report.JSONPatchAction(configMapsGVR, ref, ops)), true
}

// escapeJSONPointer escapes one JSON pointer token (RFC 6901).
func escapeJSONPointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
