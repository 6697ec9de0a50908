package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
	"github.com/argofix/kubectl-argofix/pkg/suggest"
)

// Messages the controller writes when a project refuses an app (v2.14).
const (
	repoDeniedText        = "is not permitted in project"
	destinationDeniedText = "do not match any of the allowed destinations"
	namespaceDeniedText   = "is not permitted to use project"
)

// checkProjectDenied reports Applications whose project exists but refuses
// them: the source repo, the destination, the app's namespace (conditions
// the controller writes at once), or a resource kind or namespace (only in
// the result of a sync). While a condition stands the app is not compared.
func checkProjectDenied(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		proj, ok := s.Project(app.ProjectName())
		if !ok {
			continue // project-missing
		}
		if f, denied := projectDeniedFinding(s, app, proj); denied {
			findings = append(findings, f)
		}
	}
	return findings
}

func projectDeniedFinding(s *snapshot.Snapshot, app *argocd.Application, proj *argocd.AppProject) (report.Finding, bool) {
	f := report.Finding{
		ID:     "project-denied",
		Object: appRef(app),
	}
	var why []string
	var repoDenied, destDenied, nsDenied bool
	for _, c := range app.Status.Conditions {
		switch {
		case c.Type == "InvalidSpecError" && strings.Contains(c.Message, "application repo ") && strings.Contains(c.Message, repoDeniedText):
			repoDenied = true
		case c.Type == "InvalidSpecError" && strings.Contains(c.Message, destinationDeniedText):
			destDenied = true
		case strings.Contains(c.Message, namespaceDeniedText):
			nsDenied = true
		default:
			continue
		}
		addCondition(&f, c)
	}
	if repoDenied {
		why = append(why, repoDenial(app, proj, &f))
	}
	if destDenied {
		why = append(why, destinationDenial(s, app, proj, &f))
	}
	if nsDenied {
		why = append(why, fmt.Sprintf("the app's namespace %s is not in spec.sourceNamespaces (%s)", app.Namespace, listOrNone(proj.Spec.SourceNamespaces)))
		f.Evidence = append(f.Evidence, fmt.Sprintf("AppProject %s spec.sourceNamespaces: %s; apps outside the control namespace %s need theirs listed there",
			proj.Name, listOrNone(proj.Spec.SourceNamespaces), s.ArgoCDNamespace))
	}
	if kinds := deniedResources(app); len(kinds) > 0 {
		why = append(why, "the last sync was refused for "+strings.Join(kinds, ", "))
		f.Evidence = append(f.Evidence,
			fmt.Sprintf("AppProject %s spec.clusterResourceWhitelist: %s; spec.namespaceResourceBlacklist: %s",
				proj.Name, groupKinds(proj.Spec.ClusterResourceWhitelist), groupKinds(proj.Spec.NamespaceResourceBlacklist)))
		op := app.Status.OperationState
		f.Evidence = append(f.Evidence, fmt.Sprintf("status.operationState.phase %s: %s", op.Phase, op.Message))
		for _, r := range op.SyncResult.Resources {
			if strings.Contains(r.Message, repoDeniedText) {
				f.Evidence = append(f.Evidence, resourceResultEvidence(r))
			}
		}
		if f.Since == nil && op.FinishedAt != nil {
			f.Since = timePtr(op.FinishedAt.Time)
		}
	}
	if len(why) == 0 {
		return f, false
	}
	f.Summary = fmt.Sprintf("AppProject %s refuses the app: %s", proj.Name, strings.Join(why, "; "))
	if repoDenied || destDenied || nsDenied {
		f.Summary += " (the app is not compared or synced until it is allowed)"
		if other := permittingProject(s, app, proj.Name); other != "" {
			f.Fixes = append(f.Fixes, SetProjectFix(app, other))
		}
	}
	return f, true
}

// repoDenial: which sources the project's spec.sourceRepos refuse, with
// the closest allowed entry and the allow-source-repo fix.
func repoDenial(app *argocd.Application, proj *argocd.AppProject, f *report.Finding) string {
	var refused []string
	for _, src := range app.SourceList() {
		if src.RepoURL == "" || proj.PermitsRepo(src.RepoURL) || slices.Contains(refused, src.RepoURL) {
			continue
		}
		refused = append(refused, src.RepoURL)
		line := fmt.Sprintf("repo %s matches no entry of AppProject %s spec.sourceRepos: %s", src.RepoURL, proj.Name, listOrNone(proj.Spec.SourceRepos))
		if close := closestEntry(src.RepoURL, proj.Spec.SourceRepos); close != "" {
			line += "; closest allowed entry: " + close
		}
		f.Evidence = append(f.Evidence, line)
	}
	if len(refused) == 0 {
		// The controller said so, but the project allows it now: the
		// condition is from before the last change of the project.
		f.Evidence = append(f.Evidence, fmt.Sprintf("AppProject %s spec.sourceRepos now allow every source of the app: a refresh clears the condition", proj.Name))
		return "its source repo is not permitted (spec.sourceRepos)"
	}
	f.Fixes = append(f.Fixes, allowInProjectFix("allow-source-repo", proj, "/spec/sourceRepos", anySlice(proj.Spec.SourceRepos), stringsAny(refused),
		fmt.Sprintf("add %s to AppProject %s spec.sourceRepos (every app of the project may then use it)", strings.Join(refused, ", "), proj.Name)))
	return fmt.Sprintf("repo %s is not in spec.sourceRepos", strings.Join(refused, ", "))
}

// destinationDenial: the destination the project's spec.destinations
// refuse, with the closest allowed entry and the allow-destination fix.
func destinationDenial(s *snapshot.Snapshot, app *argocd.Application, proj *argocd.AppProject, f *report.Finding) string {
	d := app.Spec.Destination
	server, _ := argocd.DestinationServer(d, s.Clusters)
	dest := destinationText(d)
	var rules []string
	for _, r := range proj.Spec.Destinations {
		rules = append(rules, destinationText(r))
	}
	line := fmt.Sprintf("destination %s matches no entry of AppProject %s spec.destinations: %s", dest, proj.Name, listOrNone(rules))
	if close := closestEntry(dest, rules); close != "" {
		line += "; closest allowed entry: " + close
	}
	f.Evidence = append(f.Evidence, line)
	if proj.PermitsDestination(d, server) {
		f.Evidence = append(f.Evidence, fmt.Sprintf("AppProject %s spec.destinations now allow it: a refresh clears the condition", proj.Name))
		return "its destination is not permitted (spec.destinations)"
	}
	entry := map[string]any{"namespace": d.Namespace}
	if d.Name != "" {
		entry["name"] = d.Name
	} else {
		entry["server"] = d.Server
	}
	var current []any
	for _, r := range proj.Spec.Destinations {
		m := map[string]any{}
		if r.Server != "" {
			m["server"] = r.Server
		}
		if r.Name != "" {
			m["name"] = r.Name
		}
		if r.Namespace != "" {
			m["namespace"] = r.Namespace
		}
		current = append(current, m)
	}
	f.Fixes = append(f.Fixes, allowInProjectFix("allow-destination", proj, "/spec/destinations", current, []any{entry},
		fmt.Sprintf("add %s to AppProject %s spec.destinations (every app of the project may then deploy there)", dest, proj.Name)))
	return fmt.Sprintf("destination %s is not in spec.destinations", dest)
}

// allowInProjectFix appends entries to a list of the AppProject's spec.
// The patch tests the list as diagnosed (or the resourceVersion when the
// list is absent), so a concurrent edit of the project is not overwritten.
func allowInProjectFix(id string, proj *argocd.AppProject, path string, current, add []any, desc string) report.Fix {
	ref := report.ObjectRef{Group: argocd.Group, Kind: "AppProject", Namespace: proj.Namespace, Name: proj.Name}
	var ops []map[string]any
	if len(current) == 0 {
		ops = []map[string]any{
			{"op": "test", "path": "/metadata/resourceVersion", "value": proj.ResourceVersion},
			{"op": "add", "path": path, "value": add},
		}
	} else {
		ops = []map[string]any{{"op": "test", "path": path, "value": current}}
		for _, v := range add {
			ops = append(ops, map[string]any{"op": "add", "path": path + "/-", "value": v})
		}
	}
	return report.NewFix(id, "medium", desc+"; then refresh the app", report.JSONPatchAction(argocd.AppProjectsResource, ref, ops))
}

// permittingProject names another existing project that allows all of the
// app's repos and its destination and namespace, if one does.
func permittingProject(s *snapshot.Snapshot, app *argocd.Application, current string) string {
	server, _ := argocd.DestinationServer(app.Spec.Destination, s.Clusters)
	for i := range s.Projects {
		p := &s.Projects[i]
		if p.Name == current || p.DeletionTimestamp != nil {
			continue
		}
		ok := p.PermitsDestination(app.Spec.Destination, server) && p.PermitsSourceNamespace(s.ArgoCDNamespace, app.Namespace)
		for _, src := range app.SourceList() {
			ok = ok && p.PermitsRepo(src.RepoURL)
		}
		if ok {
			return p.Name
		}
	}
	return ""
}

// deniedResources lists the resources the last sync refused because of
// the project ("resource apps:Deployment is not permitted in project x",
// "namespace y is not permitted in project 'x'").
func deniedResources(app *argocd.Application) []string {
	op := app.Status.OperationState
	if op == nil || op.SyncResult == nil || app.Operation != nil ||
		(op.Phase != argocd.PhaseFailed && op.Phase != argocd.PhaseError) {
		return nil
	}
	var out []string
	for _, r := range op.SyncResult.Resources {
		if strings.Contains(r.Message, repoDeniedText) {
			out = append(out, report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}.String())
		}
	}
	return out
}

func destinationText(d argocd.Destination) string {
	cluster := "server " + d.Server
	if d.Name != "" {
		cluster = "name " + d.Name
	}
	return fmt.Sprintf("%s, namespace %s", cluster, d.Namespace)
}

func groupKinds(list []argocd.GroupKind) string {
	var out []string
	for _, gk := range list {
		out = append(out, gk.Group+"/"+gk.Kind)
	}
	return listOrNone(out)
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "(none)"
	}
	return strings.Join(list, ", ")
}

func anySlice(list []string) []any { return stringsAny(list) }

func stringsAny(list []string) []any {
	out := make([]any, 0, len(list))
	for _, v := range list {
		out = append(out, v)
	}
	return out
}

// closestEntry is the allowed entry nearest to what the app asks for: a
// likely typo, else the entry sharing the longest prefix with it.
func closestEntry(want string, entries []string) string {
	if close := suggest.Closest(want, entries); len(close) > 0 {
		return close[0]
	}
	best, bestLen := "", -1
	for _, e := range entries {
		n := 0
		for n < len(e) && n < len(want) && e[n] == want[n] {
			n++
		}
		if n > bestLen {
			best, bestLen = e, n
		}
	}
	return best
}
