package diagnose

import (
	"fmt"
	"strings"
	"time"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/health"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkAppDeletionStuck reports Applications deleted longer than
// StuckAfter ago that still carry Argo CD finalizers, and says why the
// controller cannot finish. It reasons from the app and the live objects:
// the real controller writes no condition when a managed object is held by
// another controller's finalizer.
func checkAppDeletionStuck(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		if app.DeletionTimestamp == nil || len(app.ArgoFinalizers()) == 0 {
			continue
		}
		young := !olderThan(s.Now, app.DeletionTimestamp.Time, s.StuckAfter)
		if young && !s.Named {
			continue
		}
		f := appDeletionStuckFinding(s, app)
		if young {
			notYetStuck(s, &f, app.DeletionTimestamp.Time)
		}
		findings = append(findings, f)
	}
	return findings
}

// notYetStuck turns a finding about an object the user named, whose
// deletion is younger than StuckAfter, into an explanation at info
// severity: silence would read as "nothing holds it". It offers no fix
// yet: the controllers may still be working, and stepping in now (say,
// finalizing a namespace its controller is still emptying) does harm.
func notYetStuck(s *snapshot.Snapshot, f *report.Finding, deleted time.Time) {
	f.Severity = report.SeverityInfo
	f.Summary = fmt.Sprintf("deleting for %s, not yet past --stuck-after (%s): %s", formatAge(s.Now.Sub(deleted)), s.StuckAfter, f.Summary)
	if len(f.Fixes) > 0 {
		f.Evidence = append(f.Evidence, fmt.Sprintf("no fix offered before --stuck-after (%s): wait, or pass --stuck-after 0s to see them now", s.StuckAfter))
		f.Fixes = nil
	}
}

// deletionDiagnosis collects the causes, evidence and fixes of one app.
type deletionDiagnosis struct {
	causes   []string
	evidence []string
	fixes    []report.Fix
}

func (d *deletionDiagnosis) cause(c string, evidence ...string) {
	d.causes = append(d.causes, c)
	d.evidence = append(d.evidence, evidence...)
}

func appDeletionStuckFinding(s *snapshot.Snapshot, app *argocd.Application) report.Finding {
	deleted := app.DeletionTimestamp.Time
	f := report.Finding{
		ID:     "app-deletion-stuck",
		Object: appRef(app),
		Since:  &deleted,
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("metadata.deletionTimestamp %s (%s ago), metadata.finalizers %s",
		report.FormatTime(deleted), formatAge(s.Now.Sub(deleted)), finalizers.Format(app.Finalizers)))

	d := &deletionDiagnosis{}
	projectMissing := deletionProjectCause(s, app, d)
	deletionDestinationCause(s, app, d)
	notRead := deletionManagedCauses(s, app, d)
	deletionConfirmationCause(s, app, d)
	deletionHookCauses(s, app, d)
	if s.Has(snapshot.CmdParams) && !s.Settings.ReconcilesNamespace(s.ArgoCDNamespace, app.Namespace) {
		d.cause(fmt.Sprintf("no application-controller reconciles Applications in namespace %s: it is not the control namespace %s and application.namespaces in %s does not list it",
			app.Namespace, s.ArgoCDNamespace, argocd.CmdParamsConfigMap),
			fmt.Sprintf("application.namespaces in %s/%s: %q", s.ArgoCDNamespace, argocd.CmdParamsConfigMap, strings.Join(s.Settings.ApplicationNamespaces, ",")))
	}
	if ready, line, read := controllerReadiness(s); read {
		if ready == 0 {
			d.cause("the application-controller has no ready pod, so nothing processes the deletion", line)
		} else {
			d.evidence = append(d.evidence, line)
		}
	}
	for _, c := range app.Status.Conditions {
		if c.Type == "DeletionError" {
			d.cause("the controller reports DeletionError: "+c.Message, conditionEvidence(c))
		}
	}

	f.Evidence = append(f.Evidence, d.evidence...)
	held := fmt.Sprintf("Application has been deleting for %s, held by %s", formatAge(s.Now.Sub(deleted)), strings.Join(app.ArgoFinalizers(), ", "))
	if len(d.causes) == 0 {
		f.Summary = held + "; no cause found in what was read (project exists, destination resolves, no managed object pending deletion, no hook or confirmation pending); finalizers " + finalizers.Format(app.Finalizers)
		if notRead > 0 {
			f.Summary += fmt.Sprintf("; %d managed resources are of kinds that were not read", notRead)
		}
	} else {
		f.Summary = held + ": " + strings.Join(d.causes, "; ")
	}

	f.Fixes = d.fixes
	if !projectMissing {
		f.Fixes = append(f.Fixes, removeAppFinalizersFix(s, app))
	}
	return f
}

// deletionProjectCause: the controller resolves the project first and
// cannot go on without it.
func deletionProjectCause(s *snapshot.Snapshot, app *argocd.Application, d *deletionDiagnosis) bool {
	if !s.Has(snapshot.Projects) {
		return false
	}
	project := app.ProjectName()
	if _, ok := s.Project(project); ok {
		return false
	}
	d.cause(fmt.Sprintf("its AppProject %s does not exist and the controller resolves the project before deleting anything (see project-missing)", project),
		fmt.Sprintf("AppProject %s/%s not found; existing: %s", s.ArgoCDNamespace, project, strings.Join(s.ProjectNames(), ", ")))
	d.fixes = append(d.fixes, createProjectFix(s, app, project,
		"allowing only this app's repositories and destination; the controller then finishes the deletion itself and removes the finalizer, deleting the app's resources as asked"))
	return true
}

// deletionDestinationCause: with its cluster unresolvable a running
// controller strips the finalizers and orphans the resources.
func deletionDestinationCause(s *snapshot.Snapshot, app *argocd.Application, d *deletionDiagnosis) {
	if !s.Has(snapshot.Clusters) {
		return
	}
	problem := argocd.DestinationProblem(app.Spec.Destination, s.Clusters, s.Settings.InClusterEnabled)
	if problem == "" {
		return
	}
	d.cause(fmt.Sprintf("its destination cluster is gone (%s); a running controller would strip the finalizers and leave the resources orphaned", problem),
		fmt.Sprintf("spec.destination: server=%q name=%q", app.Spec.Destination.Server, app.Spec.Destination.Name),
		registeredClusters(s))
}

// deletionManagedCauses: the controller waits while any managed object
// still has a deletionTimestamp, so an object held by another controller's
// finalizer blocks the app. It returns how many resources were of kinds
// that were not read.
func deletionManagedCauses(s *snapshot.Snapshot, app *argocd.Application, d *deletionDiagnosis) (notRead int) {
	for _, r := range app.Status.Resources {
		if r.Hook {
			continue
		}
		obj, known := s.LiveObject(app, r)
		if !known {
			notRead++
			continue
		}
		if obj == nil || obj.GetDeletionTimestamp() == nil {
			continue
		}
		ref := report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
		held := obj.GetFinalizers()
		foreign := finalizers.Foreign(held)
		since := obj.GetDeletionTimestamp().Time
		var why string
		switch {
		case len(foreign) > 0:
			why = fmt.Sprintf("managed resource %s has been pending deletion since %s, held by finalizer %s", ref, report.FormatTime(since), strings.Join(foreign, ", "))
		case len(held) > 0:
			why = fmt.Sprintf("managed resource %s has been pending deletion since %s, held by finalizer %s", ref, report.FormatTime(since), strings.Join(held, ", "))
		case r.Kind == "Pod" && r.Group == "":
			why = fmt.Sprintf("managed Pod %s has been terminating since %s with no finalizer: its node does not confirm the deletion (see stale-pods)", ref, report.FormatTime(since))
		default:
			why = fmt.Sprintf("managed resource %s has been pending deletion since %s", ref, report.FormatTime(since))
		}
		d.cause(why, fmt.Sprintf("%s: metadata.deletionTimestamp %s, metadata.finalizers %s%s",
			ref, report.FormatTime(since), finalizers.Format(held), ownerSuffix(obj)))
		if gvr, ok := resourceOf(s, r.Group, r.Kind); ok && len(held) > 0 {
			d.fixes = append(d.fixes, removeFinalizersFix(gvr, ref, held, "medium",
				"Prefer letting that owner finish; once the object is gone the app's deletion continues by itself"))
		}
	}
	return notRead
}

// deletionConfirmationCause: resources marked requiresDeletionConfirmation
// wait for the deletion-approved annotation, dated at or after the app's
// deletionTimestamp.
func deletionConfirmationCause(s *snapshot.Snapshot, app *argocd.Application, d *deletionDiagnosis) {
	if !app.HasCascadeFinalizer() {
		return
	}
	var waiting []string
	for _, r := range app.Status.Resources {
		if r.RequiresDeletionConfirmation {
			waiting = append(waiting, report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}.String())
		}
	}
	if len(waiting) == 0 {
		return
	}
	deleted := app.DeletionTimestamp.Time
	v, present := app.Annotations[argocd.DeletionApprovedAnnotation]
	var state string
	switch t, err := time.Parse(time.RFC3339, v); {
	case !present || v == "":
		state = "annotation " + argocd.DeletionApprovedAnnotation + " is absent"
	case err != nil:
		state = fmt.Sprintf("annotation %s is %q, not an RFC 3339 time", argocd.DeletionApprovedAnnotation, v)
	case t.Before(deleted):
		state = fmt.Sprintf("annotation %s is %s, before the deletionTimestamp %s", argocd.DeletionApprovedAnnotation, v, report.FormatTime(deleted))
	default:
		return
	}
	d.cause(fmt.Sprintf("deletion confirmation is required for %s (%s) and %s", plural(len(waiting), "resource"), strings.Join(waiting, ", "), state),
		fmt.Sprintf("status.resources with requiresDeletionConfirmation=true: %s", strings.Join(waiting, ", ")),
		state)
	d.fixes = append(d.fixes, report.NewFix("approve-deletion", "medium",
		fmt.Sprintf("confirm the deletion of %s by annotating the app with the current time; the controller then deletes them", strings.Join(waiting, ", ")),
		report.AnnotateAction(argocd.ApplicationsResource, appRef(app), argocd.DeletionApprovedAnnotation, report.FormatTime(s.Now))))
}

// deletionHookCauses: PreDelete hooks run before anything is deleted,
// PostDelete hooks after; their finalizers stay until the hooks are done.
func deletionHookCauses(s *snapshot.Snapshot, app *argocd.Application, d *deletionDiagnosis) {
	var hooks []string
	for _, r := range app.Status.Resources {
		if r.Hook {
			hooks = append(hooks, hookState(s, app, r))
		}
	}
	hookList := "no hook resource is listed in status.resources"
	if len(hooks) > 0 {
		hookList = "hook resources: " + strings.Join(hooks, ", ")
	}
	for _, fin := range app.Finalizers {
		var which string
		switch {
		case argocd.IsFinalizerOf(fin, argocd.PreDeleteFinalizer):
			which = "PreDelete"
		case argocd.IsFinalizerOf(fin, argocd.PostDeleteFinalizer):
			which = "PostDelete"
		default:
			continue
		}
		step := "hook pending"
		if strings.HasSuffix(fin, "/cleanup") {
			step = "hook cleanup pending"
		}
		d.cause(fmt.Sprintf("%s %s (finalizer %s); %s", which, step, fin, hookList))
	}
}

// hookState describes a hook resource from its live object: a pending
// deletion, or for a Job whether it finished, by Argo CD's health rules.
func hookState(s *snapshot.Snapshot, app *argocd.Application, r argocd.ResourceStatus) string {
	ref := report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}.String()
	obj, known := s.LiveObject(app, r)
	switch {
	case !known:
		return ref + " (not read)"
	case obj == nil:
		return ref + " (does not exist)"
	case obj.GetDeletionTimestamp() != nil, r.Group == "batch" && r.Kind == "Job":
		h, _ := health.Of(obj)
		return ref + " (" + h.Message + ")"
	}
	return ref + " (exists)"
}

// removeAppFinalizersFix strips Argo CD's finalizers from the app, the
// last resort: nothing then deletes the app's live resources.
func removeAppFinalizersFix(s *snapshot.Snapshot, app *argocd.Application) report.Fix {
	var orphaned []string
	notRead := 0
	for _, r := range app.Status.Resources {
		obj, known := s.LiveObject(app, r)
		switch {
		case !known:
			notRead++
		case obj != nil:
			orphaned = append(orphaned, report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}.String())
		}
	}
	argo := app.ArgoFinalizers()
	keep := finalizers.Without(app.Finalizers, argo)
	desc := fmt.Sprintf("remove Argo CD's finalizers %s from the Application; the controller then deletes nothing", finalizers.Format(argo))
	if len(orphaned) > 0 {
		desc += fmt.Sprintf(": these %d live resources stay in the cluster, orphaned: %s; delete them yourself afterwards if they should go", len(orphaned), strings.Join(orphaned, ", "))
	} else {
		desc += "; none of its resources is still live"
	}
	if notRead > 0 {
		desc += fmt.Sprintf("; %d more resources are of kinds that were not read and may remain", notRead)
	}
	desc += ". Fix the causes named above first when you can"
	fix := report.NewFix("remove-finalizers", "high", desc,
		report.JSONPatchAction(argocd.ApplicationsResource, appRef(app), finalizers.RemovalPatch(app.Finalizers, keep)))
	if len(orphaned) > 0 {
		fix.Force = fmt.Sprintf("%d live resources would be orphaned: %s", len(orphaned), strings.Join(orphaned, ", "))
	}
	return fix
}
