package diagnose

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
	"github.com/argofix/kubectl-argofix/pkg/suggest"
)

// foregroundDeletion is the finalizer kube-apiserver puts on an object
// deleted with propagationPolicy Foreground: the garbage collector removes
// it once no dependent with blockOwnerDeletion remains.
const foregroundDeletion = "foregroundDeletion"

// checkApplicationSetError reports ApplicationSets that cannot generate or
// write (some of) their Applications (ErrorOccurred True or
// ResourcesUpToDate False), that
// no controller reconciles because their namespace is outside
// applicationsetcontroller.namespaces (no status at all), or whose
// deletion is stuck (foreground deletion waiting on child Applications, or
// resources-finalizer), the latter linked to the child apps' own findings.
// One finding per set: a stuck deletion carries its conditions too.
func checkApplicationSetError(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.AppSets {
		set := &s.AppSets[i]
		if ignoreListed(set.Annotations[IgnoreAnnotation], "applicationset-error") {
			continue
		}
		var f *report.Finding
		switch {
		case set.DeletionTimestamp != nil && olderThan(s.Now, set.DeletionTimestamp.Time, s.StuckAfter):
			f = appSetDeletionFinding(s, set)
		case len(set.Failing()) > 0:
			f = appSetConditionFinding(s, set)
		case len(set.Status.Conditions) == 0 && s.Has(snapshot.CmdParams) &&
			!s.Settings.WatchesAppSetNamespace(s.ArgoCDNamespace, set.Namespace):
			f = appSetUnwatchedFinding(s, set)
		}
		if f != nil {
			findings = append(findings, *f)
		}
	}
	return findings
}

func appSetFinding(set *argocd.ApplicationSet) *report.Finding {
	return &report.Finding{
		ID:     "applicationset-error",
		Object: report.ObjectRef{Group: argocd.Group, Kind: "ApplicationSet", Namespace: set.Namespace, Name: set.Name},
	}
}

// appSetConditionFinding: the controller's error conditions, quoted, with
// what the message says about the cause.
func appSetConditionFinding(s *snapshot.Snapshot, set *argocd.ApplicationSet) *report.Finding {
	f := appSetFinding(set)
	failing := set.Failing()
	first := failing[0]
	f.Evidence = appSetConditionEvidence(f, failing)
	cause := first.Message
	if first.Reason != "" {
		cause = first.Reason + ": " + first.Message
	}
	what := "cannot generate its Applications"
	if appSetPartial(first.Reason) {
		// v2.14.21 still writes the set's other Applications.
		what = "cannot create or update some of its Applications"
	}
	f.Summary = fmt.Sprintf("ApplicationSet %s %s: %s", set.Name, what, firstLine(cause))
	f.Evidence = append(f.Evidence, appSetCauseEvidence(s, set, first)...)
	f.Evidence = append(f.Evidence, childrenLine(s, set, first.Reason))
	return f
}

// appSetPartial tells whether the controller, failing with reason, still
// wrote the set's other Applications. Observed with v2.14.21
// (test/e2ereal/OBSERVED.md): a validation error skips only the
// Applications that fail it (the rest are created, updated and deleted);
// a create or update error skips the Application it names, writes the
// others, and then stops before deleting. Only a generator or template
// error stops everything.
func appSetPartial(reason string) bool {
	switch reason {
	case argocd.AppSetReasonValidationError, "CreateApplicationError", "UpdateApplicationError":
		return true
	}
	return false
}

// appSetConditionEvidence quotes each failing condition, once per message
// (ErrorOccurred and ResourcesUpToDate repeat the same one), and dates f.
func appSetConditionEvidence(f *report.Finding, failing []argocd.ApplicationSetCondition) []string {
	var out, seen []string
	for _, c := range failing {
		head := fmt.Sprintf("condition %s=%s", c.Type, c.Status)
		if c.Reason != "" {
			head += " (reason " + c.Reason + ")"
		}
		if c.LastTransitionTime != nil {
			head += " since " + report.FormatTime(c.LastTransitionTime.Time)
			if f.Since == nil {
				f.Since = timePtr(c.LastTransitionTime.Time)
			}
		}
		if slices.Contains(seen, c.Message) {
			out = append(out, head+": same message")
			continue
		}
		seen = append(seen, c.Message)
		out = append(out, head+": "+c.Message)
	}
	return out
}

var (
	alreadyOwnedRE  = regexp.MustCompile(`Object (\S+)/(\S+) is already owned by another ApplicationSet controller (\S+)`)
	duplicateNameRE = regexp.MustCompile(`contains applications with duplicate name: (\S+)`)
	missingProjRE   = regexp.MustCompile(`application references project (\S+) which does not exist`)
	// The API server refusing a generated Application, as the controller
	// quotes it (UpdateApplicationError / CreateApplicationError).
	invalidAppRE  = regexp.MustCompile(`Application\.argoproj\.io "([^"]+)" is invalid: (\S+): Invalid value`)
	gitRepoFailRE = regexp.MustCompile(`failed to list refs: ([^\n]+)`)
	andMoreRE     = regexp.MustCompile(`\(and (\d+) more\)`)
)

// appSetCauseEvidence says what the condition's message means: which
// object, name, project or repository is at fault, and how much of the
// reconcile the failure stops (all of it for a generator or template
// error, only the failing Applications otherwise).
func appSetCauseEvidence(s *snapshot.Snapshot, set *argocd.ApplicationSet, c argocd.ApplicationSetCondition) []string {
	var out []string
	msg := c.Message
	if m := alreadyOwnedRE.FindStringSubmatch(msg); m != nil {
		out = append(out, fmt.Sprintf("Application %s/%s already belongs to ApplicationSet %s (its controller ownerReference): two ApplicationSets generate the same Application name; rename one template's metadata.name, or delete the other set's Application if it was moved on purpose", m[1], m[2], m[3]))
	}
	if m := duplicateNameRE.FindStringSubmatch(msg); m != nil {
		out = append(out, fmt.Sprintf("two parameter sets render the same Application name %s (the first one is written, the later ones are skipped): make spec.template.metadata.name unique per parameter set (add a generator parameter to it)", m[1]))
	}
	if m := missingProjRE.FindStringSubmatch(msg); m != nil {
		out = append(out, appSetProjectEvidence(s, m[1]))
	}
	if strings.Contains(msg, "which does not exist") && strings.Contains(msg, "destination cluster") ||
		strings.Contains(msg, "destination spec is invalid") {
		out = append(out, fmt.Sprintf("a generated destination names no registered cluster: check the generator's cluster values against the cluster Secrets in %s (kubectl -n %s get secrets -l argocd.argoproj.io/secret-type=cluster)", s.ArgoCDNamespace, s.ArgoCDNamespace))
	}
	if m := invalidAppRE.FindStringSubmatch(msg); m != nil {
		if m[2] == "metadata.name" {
			out = append(out, fmt.Sprintf("the template renders the Application name %s, which the API server refuses: names must be lower-case RFC 1123 subdomains (a-z, 0-9, '-', '.'); lower-case the generator value, or with goTemplate: true write {{ lower .param }} in spec.template.metadata.name", m[1]))
		} else {
			out = append(out, fmt.Sprintf("the API server refuses the generated Application %s (field %s): correct spec.template or the generator values it uses", m[1], m[2]))
		}
	}
	if m := gitRepoFailRE.FindStringSubmatch(msg); m != nil {
		out = append(out, fmt.Sprintf("the repo-server cannot read a Git generator's repository (%s; the message does not name it): check spec.generators[].git.repoURL and revision, and, for a private repository, its credentials (Secrets labelled argocd.argoproj.io/secret-type=repository or repo-creds in %s)", m[1], s.ArgoCDNamespace))
	}
	if m := andMoreRE.FindStringSubmatch(msg); m != nil {
		out = append(out, fmt.Sprintf("the message quotes the last invalid Application; %s more failed validation too", m[1]))
	}
	switch c.Reason {
	case argocd.AppSetReasonRenderTemplateError, argocd.AppSetReasonGenerationError:
		out = append(out, "one failing parameter set stops the whole reconcile: no Application of this set is created, updated or deleted until it is fixed; the controller retries every 3 minutes")
	case argocd.AppSetReasonValidationError:
		out = append(out, "only the Applications that fail validation are skipped (not created or updated; an existing one keeps its last generated spec): the set's other Applications are still created, updated and deleted; the controller retries every 3 minutes")
	case "CreateApplicationError", "UpdateApplicationError":
		out = append(out, "only the Application named in the message was not written; the set's other Applications were created or updated, but the reconcile stopped at this error: Applications that are no longer generated are not deleted until it is fixed")
	}
	return out
}

// appSetProjectEvidence: the project a generated Application names, and
// what exists (the controller resolves projects in its own namespace).
func appSetProjectEvidence(s *snapshot.Snapshot, project string) string {
	if !s.Has(snapshot.Projects) {
		return fmt.Sprintf("a generated Application names AppProject %s, which the controller does not find in %s", project, s.ArgoCDNamespace)
	}
	line := fmt.Sprintf("a generated Application names AppProject %s; AppProjects in namespace %s: %s", project, s.ArgoCDNamespace, strings.Join(s.ProjectNames(), ", "))
	if close := suggest.Closest(project, s.ProjectNames()); len(close) > 0 {
		line += fmt.Sprintf("; closest existing name: %s (a typo in spec.template.spec.project?)", strings.Join(close, ", "))
	}
	return line
}

// appSetUnwatchedFinding: no status at all, in a namespace the
// applicationset-controller does not watch.
func appSetUnwatchedFinding(s *snapshot.Snapshot, set *argocd.ApplicationSet) *report.Finding {
	f := appSetFinding(set)
	f.Since = timePtr(set.CreationTimestamp.Time)
	f.Summary = fmt.Sprintf("ApplicationSet %s has no status: namespace %s is not watched by the applicationset-controller of %s (applicationsetcontroller.namespaces)", set.Name, set.Namespace, s.ArgoCDNamespace)
	patterns := "not set"
	if len(s.Settings.ApplicationSetNamespaces) > 0 {
		patterns = strings.Join(s.Settings.ApplicationSetNamespaces, ",")
	}
	f.Evidence = []string{
		fmt.Sprintf("ApplicationSet %s/%s: created %s, no status.conditions", set.Namespace, set.Name, report.FormatTime(set.CreationTimestamp.Time)),
		fmt.Sprintf("ConfigMap %s/%s: %s is %s; the controller watches its own namespace %s and the namespaces matching that list", s.ArgoCDNamespace, argocd.CmdParamsConfigMap, argocd.AppSetNamespacesParam, patterns, s.ArgoCDNamespace),
		fmt.Sprintf("add %s to %s (and restart the applicationset-controller, which reads it at start), or move the ApplicationSet to %s", set.Namespace, argocd.AppSetNamespacesParam, s.ArgoCDNamespace),
	}
	return f
}

// appSetDeletionFinding: a deletion older than StuckAfter, what holds it,
// and the child Applications with their own findings.
func appSetDeletionFinding(s *snapshot.Snapshot, set *argocd.ApplicationSet) *report.Finding {
	f := appSetFinding(set)
	deleted := set.DeletionTimestamp.Time
	f.Since = timePtr(deleted)
	f.Evidence = []string{fmt.Sprintf("ApplicationSet %s/%s: metadata.deletionTimestamp %s (%s ago), metadata.finalizers %s",
		set.Namespace, set.Name, report.FormatTime(deleted), formatAge(s.Now.Sub(deleted)), finalizers.Format(set.Finalizers))}
	children := appSetChildren(s, set)
	childFindings := findingsOfApps(s, children)
	var holds []string
	if slices.Contains(set.Finalizers, foregroundDeletion) {
		holds = append(holds, fmt.Sprintf("foreground deletion waiting on %s", plural(len(children), "child Application")))
		f.Evidence = append(f.Evidence, "finalizer foregroundDeletion: deleted with propagationPolicy Foreground, the garbage collector removes the set only after every child Application (ownerReferences, blockOwnerDeletion) is gone; each child is held by its own finalizers")
	}
	if slices.Contains(set.Finalizers, argocd.ResourcesFinalizer) {
		holds = append(holds, argocd.ResourcesFinalizer)
		order := "not set"
		if set.Spec.Strategy != nil && set.Spec.Strategy.DeletionOrder != "" {
			order = set.Spec.Strategy.DeletionOrder
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("finalizer %s (spec.strategy.deletionOrder %s): before v3.2 nothing removes it from an ApplicationSet; from v3.2 the applicationset-controller adds it for deletionOrder Reverse and removes it after deleting the children in reverse order, with a bug that leaves it forever fixed in v3.4.7 and v3.5.1 (argo-cd #29042)", argocd.ResourcesFinalizer, order))
	}
	for _, fin := range set.Finalizers {
		if fin != foregroundDeletion && fin != argocd.ResourcesFinalizer {
			holds = append(holds, fin)
			f.Evidence = append(f.Evidence, fmt.Sprintf("finalizer %s: not Argo CD's; whatever added it must remove it", fin))
		}
	}
	var troubled []string
	for i := range children {
		app := &children[i]
		ids := childFindings[app.Namespace+"/"+app.Name]
		f.Evidence = append(f.Evidence, childEvidence(s, app, ids))
		if len(ids) > 0 {
			troubled = append(troubled, fmt.Sprintf("%s: %s", app.Name, strings.Join(ids, ", ")))
		}
	}
	summary := fmt.Sprintf("ApplicationSet %s has been deleting for %s", set.Name, formatAge(s.Now.Sub(deleted)))
	if len(holds) > 0 {
		summary += ", held by " + strings.Join(holds, " and ")
	} else {
		summary += " with no finalizer left (the API server should finish it)"
	}
	if len(troubled) > 0 {
		summary += " (" + strings.Join(troubled, "; ") + ")"
	}
	f.Summary = summary
	if failing := set.Failing(); len(failing) > 0 {
		f.Evidence = append(f.Evidence, appSetConditionEvidence(&report.Finding{}, failing)...)
	}
	return f
}

// appSetChildren are the Applications known to the diagnosis that the set
// owns, by name.
func appSetChildren(s *snapshot.Snapshot, set *argocd.ApplicationSet) []argocd.Application {
	var out []argocd.Application
	for _, app := range s.AllApps() {
		if set.Owns(&app) {
			out = append(out, app)
		}
	}
	slices.SortFunc(out, func(a, b argocd.Application) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// findingsOfApps runs the app checks (all but this one) over apps alone
// and returns, per "namespace/name", the ids of their findings.
func findingsOfApps(s *snapshot.Snapshot, apps []argocd.Application) map[string][]string {
	out := map[string][]string{}
	if len(apps) == 0 {
		return out
	}
	sub := *s
	sub.Applications = apps
	for _, c := range Checks() {
		if c.Category != CategoryApp || c.ID == "applicationset-error" || !c.runnable(&sub) {
			continue
		}
		for _, f := range withoutIgnored(&sub, c.Run(&sub)) {
			if f.Object.Group != argocd.Group || f.Object.Kind != "Application" {
				continue
			}
			key := f.Object.Namespace + "/" + f.Object.Name
			if !slices.Contains(out[key], f.ID) {
				out[key] = append(out[key], f.ID)
			}
		}
	}
	return out
}

// childEvidence: one child Application, its deletion and its findings.
func childEvidence(s *snapshot.Snapshot, app *argocd.Application, ids []string) string {
	line := fmt.Sprintf("child Application %s/%s", app.Namespace, app.Name)
	if app.DeletionTimestamp != nil {
		line += fmt.Sprintf(": deleting since %s (%s), finalizers %s", report.FormatTime(app.DeletionTimestamp.Time),
			formatAge(s.Now.Sub(app.DeletionTimestamp.Time)), finalizers.Format(app.Finalizers))
	} else {
		line += ": not deleting"
	}
	if len(ids) == 0 {
		return line + "; no finding of its own"
	}
	return line + fmt.Sprintf("; its findings: %s (kubectl argofix diagnose app %s -n %s)", strings.Join(ids, ", "), app.Name, app.Namespace)
}

// childrenLine names the Applications the set owns; after a generator or
// template error (reason) none of them was written.
func childrenLine(s *snapshot.Snapshot, set *argocd.ApplicationSet, reason string) string {
	children := appSetChildren(s, set)
	if len(children) == 0 {
		return "Applications owned by this ApplicationSet (ownerReferences): none found"
	}
	names := make([]string, 0, len(children))
	for _, app := range children {
		names = append(names, app.Name)
	}
	line := "Applications owned by this ApplicationSet (ownerReferences): " + strings.Join(names, ", ")
	if !appSetPartial(reason) {
		line += "; they keep their last generated spec"
	}
	return line
}

// firstLine cuts a message at its first newline.
func firstLine(msg string) string {
	line, _, _ := strings.Cut(msg, "\n")
	return line
}
