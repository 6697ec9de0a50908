package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/fixes"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// FinalizersOptions holds what `kubectl argofix finalizers` needs.
type FinalizersOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	Now     func() time.Time
	ChangeFlags

	AllNamespaces bool
	App           string
	Namespace     string
	ArgoCD        argoCD
}

// NewCmdFinalizers builds `kubectl argofix finalizers`.
func NewCmdFinalizers(root *RootOptions) *cobra.Command {
	o := &FinalizersOptions{Root: root, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "finalizers",
		Short: "List objects stuck in deletion by finalizers that relate to Argo CD, and remove them in a safe order",
		Long: `Lists every object stuck in deletion by a finalizer that relates to Argo CD:
managed objects that hold an Application's deletion, Applications, AppProjects,
namespaces, and Argo CD's CRDs being uninstalled; with the finalizer, who is
expected to remove it and what the diagnosis found. Then removes them in a
safe order (the objects an app waits for first, then Applications, AppProjects,
Namespaces and CRDs), every patch testing the exact finalizer list as read.
Removing an Application's finalizer while its resources still exist orphans
them: that needs --force.`,
		Example: `  # what would be removed, as the exact patches
  kubectl argofix finalizers -A --dry-run

  # one app's deletion
  kubectl argofix finalizers --app guestbook`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return validateCompleteRun(o.Validate, func() error { return o.Complete(cmd) }, func() error { return o.Run(cmd.Context()) })
		},
	}
	o.addFlags(cmd, root.Getenv)
	o.addDiagnosisFlags(cmd)
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "every namespace, stuck namespaces and Argo CD's CRDs")
	cmd.Flags().StringVar(&o.App, "app", "", "only what holds this Application's deletion")
	return cmd
}

// Complete fills in the clients and namespaces.
func (o *FinalizersOptions) Complete(cmd *cobra.Command) error {
	var err error
	if o.ArgoCD, err = o.Root.completeClients(cmd.Context(), &o.Clients); err != nil {
		return err
	}
	o.ArgoCD, o.Namespace = o.Root.appScope(cmd.Context(), o.Clients, o.ArgoCD, o.AllNamespaces)
	return nil
}

// Validate checks the flags.
func (o *FinalizersOptions) Validate() error {
	if o.AllNamespaces && o.Root.explicitNamespace() != "" {
		return badInput("-A and -n cannot be used together: -A already covers every namespace")
	}
	if o.AllNamespaces && o.App != "" {
		return badInput("--app names one Application: use it with -n, not -A")
	}
	return o.validate()
}

// Run lists the stuck objects and removes their finalizers.
func (o *FinalizersOptions) Run(ctx context.Context) error {
	findings, err := o.diagnose(ctx)
	if err != nil {
		return explainReadError(err, o.Root.kubeContext())
	}
	plan, _ := fixes.Select(findings, []string{"remove-finalizers", "finalize-namespace"})
	slices.SortStableFunc(plan.Steps, func(a, b fixes.Step) int { return removalOrder(a) - removalOrder(b) })
	if len(plan.Steps) == 0 {
		fmt.Fprintln(o.Root.Streams.Out, "No object is stuck in deletion by a finalizer related to Argo CD.")
		return nil
	}
	if err := o.printStuck(plan); err != nil {
		return err
	}
	a := o.Root.applier(o.Clients, &o.ChangeFlags)
	a.Recheck = func(ctx context.Context) (fixes.Recheck, error) {
		findings, err := o.diagnose(ctx)
		if err != nil {
			return nil, err
		}
		return fixes.NewRecheck(findings), nil
	}
	return o.Root.applyPlan(ctx, a, plan, nil)
}

func (o *FinalizersOptions) diagnose(ctx context.Context) ([]report.Finding, error) {
	opts := o.ArgoCD.collectOptions(o.Now(), o.StuckAfter)
	var snap *snapshot.Snapshot
	var err error
	if o.App != "" {
		snap, err = snapshot.CollectApp(ctx, o.Clients, snapshot.AppTarget{Namespace: o.Namespace, Name: o.App}, opts)
	} else {
		snap, err = snapshot.CollectApps(ctx, o.Clients, snapshot.AppSelector{Namespace: o.Namespace,
			AllNamespaces: o.AllNamespaces, WholeCluster: o.AllNamespaces}, opts)
	}
	if err != nil {
		return nil, err
	}
	return findingsOf(snap), nil
}

// removalOrder: what an app waits for first, then the apps, their
// projects, the namespaces they were in, and last the CRDs.
func removalOrder(s fixes.Step) int {
	ref := s.Fix.Actions[0].Ref()
	switch {
	case ref.Group == argocd.Group && ref.Kind == "Application":
		return 1
	case ref.Group == argocd.Group && ref.Kind == "AppProject":
		return 2
	case ref.Group == "" && ref.Kind == "Namespace":
		return 3
	case ref.Kind == "CustomResourceDefinition":
		return 4
	}
	return 0
}

// printStuck lists each object, its finalizers and who should remove them.
func (o *FinalizersOptions) printStuck(plan fixes.Plan) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OBJECT\tAGE\tFINALIZER\tWHO SHOULD REMOVE IT\tFINDING")
	for _, s := range plan.Steps {
		for _, a := range s.Fix.Actions {
			held := testedFinalizers(a)
			if len(held) == 0 && a.Subresource == "finalize" {
				held = []string{"kubernetes (spec.finalizers)"}
			}
			age := "-"
			if s.Since != nil {
				age = duration.HumanDuration(o.Now().Sub(*s.Since))
			}
			for _, f := range held {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s %s\n", a.Ref(), age, f, finalizers.Owner(f), s.FindingID, s.Object)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := o.Root.Streams.Out.Write([]byte(b.String() + "\n"))
	return err
}

// testedFinalizers reads the finalizer list a removal patch tests.
func testedFinalizers(a report.Action) []string {
	var ops []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	}
	if a.PatchType != report.PatchJSON || json.Unmarshal(a.Body, &ops) != nil {
		return nil
	}
	for _, op := range ops {
		var list []string
		if op.Op == "test" && op.Path == "/metadata/finalizers" && json.Unmarshal(op.Value, &list) == nil {
			return list
		}
	}
	return nil
}
