package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/fixes"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// FixAppOptions holds what `kubectl argofix fix app` needs to run.
type FixAppOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	Now     func() time.Time
	ChangeFlags

	Name      string
	Namespace string
	ArgoCD    argoCD
	Only      string
	Project   string
	// ArgoCDServer is the optional argocd-server to read the tree from.
	ArgoCDServer ServerFlags
}

// NewCmdFixApp builds `kubectl argofix fix app NAME`.
func NewCmdFixApp(root *RootOptions) *cobra.Command {
	o := &FixAppOptions{Root: root, Now: time.Now}
	cmd := &cobra.Command{
		Use:     "app NAME",
		Aliases: []string{"application"},
		Short:   "Diagnose an Application and apply the fixes of its findings, shown first and confirmed",
		Long: `Diagnoses the Application, then applies, for each finding, the fix its check
prefers (the cause, not the finalizer; high-risk fixes only when named with
--only). Every change is shown first, confirmed, bound to the object as
diagnosed, re-checked just before it is sent, and journaled for undo.`,
		Example: `  # see exactly what would be sent
  kubectl argofix fix app guestbook --dry-run

  # let the server validate it without persisting anything
  kubectl argofix fix app guestbook --dry-run=server

  # a missing project: recreate it, so the controller finishes a deletion itself
  kubectl argofix fix app guestbook --only create-project

  # point the app at another project
  kubectl argofix fix app guestbook --project payments`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeAppNames(root),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateCompleteRun(o.Validate, func() error { return o.Complete(cmd, args) }, func() error { return o.Run(cmd.Context()) })
		},
	}
	o.addFlags(cmd, root.Getenv)
	o.addDiagnosisFlags(cmd)
	o.ArgoCDServer.addFlags(cmd)
	cmd.Flags().StringVar(&o.Only, "only", "", "apply only these fix ids (comma-separated), e.g. create-project,remove-finalizers; refresh adds a hard refresh")
	cmd.Flags().StringVar(&o.Project, "project", "", "for set-project: the AppProject to point the app at (default: the closest existing name)")
	return cmd
}

// Complete fills in the clients and namespaces.
func (o *FixAppOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Name = args[0]
	var err error
	if o.Namespace, o.ArgoCD, err = o.Root.completeApp(cmd.Context(), &o.Clients, o.Name); err != nil {
		return err
	}
	return o.ArgoCDServer.complete(o.Root)
}

// Validate checks the flags.
func (o *FixAppOptions) Validate() error {
	if err := o.validate(); err != nil {
		return err
	}
	if err := validateOnly(o.Only, diagnose.FixIDs); err != nil {
		return err
	}
	if o.Project != "" && o.Only != "" && !slices.Contains(splitIDs(o.Only), "set-project") {
		return badInput("--project is for the set-project fix: add set-project to --only, or drop --only")
	}
	return nil
}

// Run diagnoses the app and applies the chosen fixes.
func (o *FixAppOptions) Run(ctx context.Context) error {
	snap, err := o.collect(ctx)
	if err != nil {
		return explainReadError(err, o.Root.kubeContext())
	}
	findings := findingsOf(snap)
	ids := splitIDs(o.Only)
	if o.Project != "" {
		if findings, err = o.withProject(snap, findings); err != nil {
			return err
		}
		if len(ids) == 0 {
			ids = []string{"set-project"}
		}
	}
	plan, manual := fixes.Select(findings, ids)
	if slices.Contains(ids, "refresh") && !slices.ContainsFunc(plan.Steps, func(s fixes.Step) bool { return s.Fix.ID == "refresh" }) {
		// Asked for when no finding proposes it: after a fix elsewhere.
		plan.Steps = append(plan.Steps, refreshStep(o.Namespace, o.Name, "hard"))
	}
	if msg := notProposed(ids, findings, plan, manual); msg != "" {
		fmt.Fprintln(o.Root.Streams.Out, msg)
	}
	a := o.Root.applier(o.Clients, &o.ChangeFlags)
	a.Recheck = func(ctx context.Context) (fixes.Recheck, error) {
		snap, err := o.collect(ctx)
		var gone *snapshot.AppNotFoundError
		if errors.As(err, &gone) {
			return fixes.Recheck{}, nil // deleted meanwhile: every finding is resolved
		}
		if err != nil {
			return nil, err
		}
		return fixes.NewRecheck(findingsOf(snap)), nil
	}
	return o.Root.applyPlan(ctx, a, plan, manual)
}

func (o *FixAppOptions) collect(ctx context.Context) (*snapshot.Snapshot, error) {
	snap, err := snapshot.CollectApp(ctx, o.Clients, snapshot.AppTarget{Namespace: o.Namespace, Name: o.Name},
		o.ArgoCD.collectOptions(o.Now(), o.StuckAfter))
	return o.ArgoCDServer.collectServer(ctx, o.Clients, snap, err)
}

// withProject replaces the set-project fixes with one for --project, which
// must exist: pointing an app at a missing project fixes nothing.
func (o *FixAppOptions) withProject(snap *snapshot.Snapshot, findings []report.Finding) ([]report.Finding, error) {
	if _, ok := snap.Project(o.Project); !ok {
		return nil, badInput("AppProject %q does not exist in namespace %s; existing: %s", o.Project, snap.ArgoCDNamespace, strings.Join(snap.ProjectNames(), ", "))
	}
	app := &snap.Applications[0]
	if app.ProjectName() == o.Project {
		return findings, nil
	}
	for i := range findings {
		if findings[i].ID != "project-missing" && findings[i].ID != "project-denied" {
			continue
		}
		fixList := slices.DeleteFunc(slices.Clone(findings[i].Fixes), func(f report.Fix) bool { return f.ID == "set-project" })
		findings[i].Fixes = append(fixList, diagnose.SetProjectFix(app, o.Project))
	}
	return findings, nil
}
