package diagnose

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckApplicationSetError(t *testing.T) {
	set := func(name string, mutate ...func(*argocd.ApplicationSet)) argocd.ApplicationSet {
		a := argocd.ApplicationSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "argocd", CreationTimestamp: *timeAgo(2 * time.Hour)}}
		for _, m := range mutate {
			m(&a)
		}
		return a
	}
	conds := func(reason, msg string) func(*argocd.ApplicationSet) {
		return func(a *argocd.ApplicationSet) {
			a.Status.Conditions = []argocd.ApplicationSetCondition{
				{Type: "ErrorOccurred", Status: "True", Reason: reason, Message: msg, LastTransitionTime: timeAgo(time.Hour)},
				{Type: "ParametersGenerated", Status: "True", Reason: "ParametersGenerated", Message: "Successfully generated parameters for all Applications"},
				{Type: "ResourcesUpToDate", Status: "False", Reason: reason, Message: msg, LastTransitionTime: timeAgo(time.Hour)},
			}
		}
	}
	healthy := func(a *argocd.ApplicationSet) {
		a.Status.Conditions = []argocd.ApplicationSetCondition{
			{Type: "ErrorOccurred", Status: "False", Reason: "ApplicationSetUpToDate", Message: "Successfully generated parameters for all Applications"},
			{Type: "ResourcesUpToDate", Status: "True", Reason: "ApplicationSetUpToDate", Message: "ApplicationSet up to date"},
		}
	}
	deleting := func(ago time.Duration, fins ...string) func(*argocd.ApplicationSet) {
		return func(a *argocd.ApplicationSet) {
			a.DeletionTimestamp = timeAgo(ago)
			a.Finalizers = fins
		}
	}
	inNS := func(ns string) func(*argocd.ApplicationSet) {
		return func(a *argocd.ApplicationSet) { a.Namespace = ns }
	}
	child := func(name, owner string, mutate ...func(*argocd.Application)) argocd.Application {
		app := testApp(name, func(a *argocd.Application) {
			a.OwnerReferences = []metav1.OwnerReference{{APIVersion: "argoproj.io/v1alpha1", Kind: "ApplicationSet", Name: owner, UID: "u-1"}}
		})
		for _, m := range mutate {
			m(&app)
		}
		return app
	}
	heldByMissingProject := func(a *argocd.Application) {
		a.DeletionTimestamp = timeAgo(time.Hour)
		a.Finalizers = []string{argocd.ResourcesFinalizer}
		a.Spec.Project = "gone"
		a.Status.Conditions = []argocd.ApplicationCondition{{Type: "InvalidSpecError", Message: "Application referencing project gone which does not exist"}}
	}
	snap := func(sets []argocd.ApplicationSet, apps ...argocd.Application) *snapshot.Snapshot {
		s := testSnapshot(apps...)
		s.AllApplications = apps
		s.AppSets = sets
		s.Read[snapshot.AppSets] = true
		return s
	}
	unread := func(s *snapshot.Snapshot, src snapshot.Source) *snapshot.Snapshot {
		delete(s.Read, src)
		return s
	}
	watching := func(s *snapshot.Snapshot, patterns ...string) *snapshot.Snapshot {
		s.Settings.ApplicationSetNamespaces = patterns
		return s
	}
	runCheckCases(t, "applicationset-error", []checkCase{
		{
			name: "generator error: quoted, with its reason and the whole-reconcile stop",
			snapshot: snap([]argocd.ApplicationSet{set("addons", conds("ApplicationGenerationFromParamsError",
				"error generating params from git: error getting directories from repo: Error: path 'apps/' does not exist"))}),
			want: []string{"applicationset-error addons"},
			wantText: []string{
				"ApplicationSet addons cannot generate its Applications: ApplicationGenerationFromParamsError: error generating params from git",
				"condition ErrorOccurred=True (reason ApplicationGenerationFromParamsError) since 2026-11-25T09:00:00Z: error generating params",
				"condition ResourcesUpToDate=False (reason ApplicationGenerationFromParamsError) since 2026-11-25T09:00:00Z: same message",
				"one failing parameter set stops the whole reconcile",
				"Applications owned by this ApplicationSet (ownerReferences): none found",
			},
		},
		{
			name: "already owned by another ApplicationSet: both named, children listed",
			snapshot: snap([]argocd.ApplicationSet{set("team-b", conds("CreateApplicationError",
				"Object argocd/guestbook is already owned by another ApplicationSet controller team-a"))},
				child("other", "team-b")),
			want: []string{"applicationset-error team-b"},
			wantText: []string{
				"Application argocd/guestbook already belongs to ApplicationSet team-a",
				"Applications that are no longer generated are not deleted",
				"Applications owned by this ApplicationSet (ownerReferences): other",
			},
		},
		{
			name: "validation: missing project with the closest existing name, and N more",
			snapshot: snap([]argocd.ApplicationSet{set("addons", conds("ApplicationValidationError",
				"application references project defualt which does not exist (and 2 more)"))}),
			want: []string{"applicationset-error addons"},
			wantText: []string{
				"a generated Application names AppProject defualt; AppProjects in namespace argocd: default; closest existing name: default",
				"2 more failed validation too",
			},
		},
		{
			name: "duplicate names",
			snapshot: snap([]argocd.ApplicationSet{set("addons", conds("ApplicationValidationError",
				"ApplicationSet addons contains applications with duplicate name: addons-prod"))}),
			want:     []string{"applicationset-error addons"},
			wantText: []string{"two parameter sets render the same Application name addons-prod"},
		},
		// The messages below are what the real v2.14.21
		// applicationset-controller wrote (test/e2ereal, TestRealAppSetErrors).
		{
			name: "real v2.14.21 validation error: only the failing Application is skipped, the others are written",
			snapshot: snap([]argocd.ApplicationSet{set("appset-real-project", conds("ApplicationValidationError",
				"application references project no-such-project which does not exist"))},
				child("appset-real-project-dev", "appset-real-project")),
			want: []string{"applicationset-error appset-real-project"},
			wantText: []string{
				"ApplicationSet appset-real-project cannot create or update some of its Applications: ApplicationValidationError: application references project no-such-project which does not exist",
				"a generated Application names AppProject no-such-project",
				"only the Applications that fail validation are skipped",
				"the set's other Applications are still created, updated and deleted",
				"Applications owned by this ApplicationSet (ownerReferences): appset-real-project-dev",
			},
			notText: []string{"one failing parameter set stops the whole reconcile", "cannot generate its Applications", "they keep their last generated spec"},
		},
		{
			name: "real v2.14.21 destination cluster name nobody registered",
			snapshot: snap([]argocd.ApplicationSet{set("appset-real-cluster", conds("ApplicationValidationError",
				"application destination spec is invalid: unable to find destination server: there are no clusters with this name: no-such-cluster"))}),
			want:     []string{"applicationset-error appset-real-cluster"},
			wantText: []string{"a generated destination names no registered cluster", "only the Applications that fail validation are skipped"},
		},
		{
			name: "real v2.14.21 uppercase name refused by the API server (UpdateApplicationError)",
			snapshot: snap([]argocd.ApplicationSet{set("appset-real-uppercase", conds("UpdateApplicationError",
				`Application.argoproj.io "appset-real-uppercase-Prod" is invalid: metadata.name: Invalid value: "appset-real-uppercase-Prod": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`))},
				child("appset-real-uppercase-dev", "appset-real-uppercase")),
			want: []string{"applicationset-error appset-real-uppercase"},
			wantText: []string{
				"ApplicationSet appset-real-uppercase cannot create or update some of its Applications: UpdateApplicationError",
				"the template renders the Application name appset-real-uppercase-Prod, which the API server refuses: names must be lower-case RFC 1123 subdomains",
				"only the Application named in the message was not written",
				"Applications that are no longer generated are not deleted",
				"Applications owned by this ApplicationSet (ownerReferences): appset-real-uppercase-dev",
			},
			notText: []string{"they keep their last generated spec"},
		},
		{
			name: "another field refused by the API server",
			snapshot: snap([]argocd.ApplicationSet{set("addons", conds("CreateApplicationError",
				`Application.argoproj.io "addons-dev" is invalid: spec.source.repoURL: Invalid value: "": spec.source.repoURL in body should be at least 1 chars long`))}),
			want:     []string{"applicationset-error addons"},
			wantText: []string{"the API server refuses the generated Application addons-dev (field spec.source.repoURL)"},
			notText:  []string{"RFC 1123"},
		},
		{
			name: "real v2.14.21 Git generator on a missing repository: the repo-server's error, everything stops",
			snapshot: snap([]argocd.ApplicationSet{set("appset-real-git", conds("ApplicationGenerationFromParamsError",
				"error generating params from git: error getting directories from repo: error retrieving Git Directories: rpc error: code = Internal desc = unable to resolve git revision : failed to list refs: repository not found"))},
				child("appset-real-git-old", "appset-real-git")),
			want: []string{"applicationset-error appset-real-git"},
			wantText: []string{
				"ApplicationSet appset-real-git cannot generate its Applications: ApplicationGenerationFromParamsError",
				"the repo-server cannot read a Git generator's repository (repository not found; the message does not name it)",
				"secret-type=repository or repo-creds in argocd",
				"one failing parameter set stops the whole reconcile",
				"Applications owned by this ApplicationSet (ownerReferences): appset-real-git-old; they keep their last generated spec",
			},
		},
		{
			name:     "healthy set: silent",
			snapshot: snap([]argocd.ApplicationSet{set("addons", healthy)}, child("addons-dev", "addons")),
			want:     []string{},
		},
		{
			name:     "no status in the control namespace: silent (controller may be new or down: component-unavailable)",
			snapshot: snap([]argocd.ApplicationSet{set("addons")}),
			want:     []string{},
		},
		{
			name:     "no status in a namespace the controller does not watch",
			snapshot: watching(snap([]argocd.ApplicationSet{set("addons", inNS("team-a"))}), "team-b", "prod-*"),
			want:     []string{"applicationset-error addons"},
			wantText: []string{
				"ApplicationSet addons has no status: namespace team-a is not watched by the applicationset-controller of argocd",
				"applicationsetcontroller.namespaces is team-b,prod-*",
			},
		},
		{
			name:     "no status in a watched namespace (glob): silent",
			snapshot: watching(snap([]argocd.ApplicationSet{set("addons", inNS("team-a"))}), "team-*"),
			want:     []string{},
		},
		{
			name:     "no status in a watched namespace (regexp): silent",
			snapshot: watching(snap([]argocd.ApplicationSet{set("addons", inNS("team-a"))}), "/^team-[a-z]$/"),
			want:     []string{},
		},
		{
			name:     "no status, argocd-cmd-params-cm unread: not judged",
			snapshot: unread(snap([]argocd.ApplicationSet{set("addons", inNS("team-a"))}), snapshot.CmdParams),
			want:     []string{},
		},
		{
			name: "foreground deletion held by a child app, linked to the child's own finding",
			snapshot: snap([]argocd.ApplicationSet{set("addons", healthy, deleting(time.Hour, "foregroundDeletion"))},
				child("addons-dev", "addons", heldByMissingProject), child("addons-prod", "addons")),
			want: []string{"applicationset-error addons"},
			wantText: []string{
				"ApplicationSet addons has been deleting for 1h, held by foreground deletion waiting on 2 child Applications (addons-dev: project-missing",
				"child Application argocd/addons-dev: deleting since 2026-11-25T09:00:00Z (1h), finalizers [resources-finalizer.argocd.argoproj.io]; its findings: project-missing",
				"kubectl argofix diagnose app addons-dev -n argocd",
				"child Application argocd/addons-prod: not deleting; no finding of its own",
				"finalizer foregroundDeletion",
			},
			notText: []string{"applicationset-error"},
		},
		{
			name: "resources-finalizer on the set, deletionOrder Reverse",
			snapshot: snap([]argocd.ApplicationSet{set("addons", deleting(time.Hour, argocd.ResourcesFinalizer), func(a *argocd.ApplicationSet) {
				a.Spec.Strategy = &argocd.ApplicationSetStrategy{DeletionOrder: "Reverse"}
			})}),
			want: []string{"applicationset-error addons"},
			wantText: []string{
				"held by resources-finalizer.argocd.argoproj.io",
				"spec.strategy.deletionOrder Reverse): before v3.2 nothing removes it",
				"fixed in v3.4.7 and v3.5.1",
			},
		},
		{
			name:     "deletion younger than --stuck-after: silent",
			snapshot: snap([]argocd.ApplicationSet{set("addons", healthy, deleting(time.Minute, "foregroundDeletion"))}, child("addons-dev", "addons", heldByMissingProject)),
			want:     []string{},
		},
		{
			name: "a child of another set or namespace is not counted",
			snapshot: snap([]argocd.ApplicationSet{set("addons", healthy, deleting(time.Hour, "foregroundDeletion"))},
				child("x", "other-set"), child("y", "addons", func(a *argocd.Application) { a.Namespace = "team-a" })),
			want:     []string{"applicationset-error addons"},
			wantText: []string{"waiting on 0 child Applications"},
		},
		{
			name: "ignore annotation on the set",
			snapshot: snap([]argocd.ApplicationSet{set("addons", conds("RenderTemplateParamsError", "failed to execute go template"), func(a *argocd.ApplicationSet) {
				a.Annotations = map[string]string{IgnoreAnnotation: "applicationset-error"}
			})}),
			want: []string{},
		},
		{
			name:     "ApplicationSets not read: skipped",
			snapshot: unread(snap([]argocd.ApplicationSet{set("addons", conds("RenderTemplateParamsError", "boom"))}), snapshot.AppSets),
			want:     []string{},
		},
	})
}
