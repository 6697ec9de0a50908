package cli

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/report"
)

// completionTimeout bounds every cluster read made to complete a word: a
// shell waits for it, so an unreachable cluster gives no completions after
// this long instead of a hung prompt.
const completionTimeout = 3 * time.Second

// applicationSetsResource is read only to complete ApplicationSet names.
var applicationSetsResource = schema.GroupVersionResource{Group: argocd.Group, Version: "v1alpha1", Resource: "applicationsets"}

// noCompletions is the answer when the cluster cannot be read: nothing,
// and no file names either. Never ShellCompDirectiveError: a completion
// that fails must not disturb the shell.
func noCompletions() ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// registerCompletions attaches dynamic completion to the finished command
// tree by argument and flag name, so that commands added later (by anyone)
// complete the same way without code here changing:
//   - arguments of commands named app/application, appset/applicationset,
//     project/appproject and namespace: the names of those objects;
//   - flags --app, --appset, --project, -n/--namespace, --argocd-namespace:
//     the same;
//   - --only of `fix app NAME` and `fix namespace NAME`: the fix ids the
//     diagnosis of NAME proposes (and refresh);
//   - --ignore, --check, --skip: finding ids, read from diagnose.Checks().
//
// Completion a command registered itself is left alone.
func registerCompletions(root *cobra.Command, o *RootOptions) {
	_ = root.RegisterFlagCompletionFunc("namespace", completeNamespaces(o))
	_ = root.RegisterFlagCompletionFunc("argocd-namespace", completeNamespaces(o))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.ValidArgsFunction == nil && c.ValidArgs == nil && c.Args != nil && c.HasParent() && c.Parent().HasParent() {
			switch {
			case nameIs(c, "app", "application"):
				c.ValidArgsFunction = firstArg(completeNames(o, argocd.ApplicationsResource, true))
			case nameIs(c, "appset", "applicationset"):
				c.ValidArgsFunction = firstArg(completeNames(o, applicationSetsResource, true))
			case nameIs(c, "project", "appproject"):
				c.ValidArgsFunction = firstArg(completeNames(o, argocd.AppProjectsResource, false))
			case nameIs(c, "namespace", "ns"):
				c.ValidArgsFunction = firstArg(completeNamespaces(o))
			}
		}
		flags := map[string]cobra.CompletionFunc{
			"app":     completeNames(o, argocd.ApplicationsResource, true),
			"appset":  completeNames(o, applicationSetsResource, true),
			"project": completeNames(o, argocd.AppProjectsResource, false),
			"only":    completeFixIDs(o),
			"ignore":  completeFindingIDs,
			"check":   completeFindingIDs,
			"skip":    completeFindingIDs,
		}
		for name, f := range flags {
			if c.LocalNonPersistentFlags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, f) // an error: the command registered its own
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// nameIs reports whether the command is called, or aliased, one of names.
func nameIs(c *cobra.Command, names ...string) bool {
	if slices.Contains(names, c.Name()) {
		return true
	}
	for _, a := range c.Aliases {
		if slices.Contains(names, a) {
			return true
		}
	}
	return false
}

// firstArg completes only the first positional argument.
func firstArg(f cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return noCompletions()
		}
		return f(cmd, args, toComplete)
	}
}

// completionContext is the command's context bounded by completionTimeout.
func completionContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithTimeout(ctx, completionTimeout)
}

// completeNames offers the names of one Argo CD kind: for namespaced kinds
// in -n, else in the Argo CD namespace (AppProjects always live there).
func completeNames(o *RootOptions, gvr schema.GroupVersionResource, appNamespaced bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		ctx, cancel := completionContext(cmd)
		defer cancel()
		c, err := o.clients()
		if err != nil {
			return noCompletions()
		}
		ns := ""
		if appNamespaced {
			ns = o.explicitNamespace()
		}
		if ns == "" {
			a, err := o.argoCDNamespace(ctx, c)
			if err != nil {
				return noCompletions()
			}
			ns = a.Namespace
		}
		list, err := c.Dynamic.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return noCompletions()
		}
		names := make([]string, 0, len(list.Items))
		for _, u := range list.Items {
			names = append(names, u.GetName())
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeNamespaces offers the cluster's namespaces.
func completeNamespaces(o *RootOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		ctx, cancel := completionContext(cmd)
		defer cancel()
		c, err := o.clients()
		if err != nil {
			return noCompletions()
		}
		list, err := c.Kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			return noCompletions()
		}
		names := make([]string, 0, len(list.Items))
		for _, ns := range list.Items {
			names = append(names, ns.Name)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeFindingIDs offers the finding ids of every registered check,
// comma-separated lists included.
func completeFindingIDs(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var ids []string
	for _, c := range diagnose.Checks() {
		ids = append(ids, c.ID)
	}
	return completeList(ids, toComplete)
}

// completeFixIDs offers the fix ids that the diagnosis of the command's
// object proposes: `fix app NAME --only <TAB>` diagnoses NAME (bounded by
// completionTimeout) and lists its findings' fixes.
func completeFixIDs(o *RootOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 || !cmd.HasParent() || cmd.Parent().Name() != "fix" {
			return noCompletions()
		}
		ctx, cancel := completionContext(cmd)
		defer cancel()
		stuckAfter, err := cmd.Flags().GetDuration("stuck-after")
		if err != nil {
			stuckAfter = 5 * time.Minute
		}
		findings, extra := findingsToComplete(ctx, o, cmd.Name(), args[0], stuckAfter)
		ids := extra
		for _, f := range findings {
			for _, fix := range f.Fixes {
				if !slices.Contains(ids, fix.ID) {
					ids = append(ids, fix.ID)
				}
			}
		}
		return completeList(ids, toComplete)
	}
}

// findingsToComplete diagnoses the object of `fix app` or `fix namespace`
// as the command itself would; nil when it cannot be read in time.
func findingsToComplete(ctx context.Context, o *RootOptions, command, name string, stuckAfter time.Duration) ([]report.Finding, []string) {
	cmd := &cobra.Command{}
	cmd.SetContext(ctx)
	switch command {
	case "app":
		a := &FixAppOptions{Root: o, Now: time.Now, ChangeFlags: ChangeFlags{StuckAfter: stuckAfter}}
		if a.Complete(cmd, []string{name}) != nil {
			return nil, nil
		}
		snap, err := a.collect(ctx)
		if err != nil {
			return nil, nil
		}
		return findingsOf(snap), []string{"refresh"}
	case "namespace":
		n := &FixNamespaceOptions{Root: o, Now: time.Now, ChangeFlags: ChangeFlags{StuckAfter: stuckAfter}}
		if n.Complete(cmd, []string{name}) != nil {
			return nil, nil
		}
		apps, ns, err := n.diagnose(ctx)
		if err != nil {
			return nil, nil
		}
		return append(apps, ns...), nil
	}
	return nil, nil
}

// completeList completes one item of a comma-separated list: the items
// already typed are kept as the prefix and not offered again.
func completeList(items []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	prefix, typed := "", []string(nil)
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		prefix = toComplete[:i+1]
		typed = strings.Split(toComplete[:i], ",")
	}
	var out []string
	for _, id := range items {
		if !slices.Contains(typed, id) {
			out = append(out, prefix+id)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}
