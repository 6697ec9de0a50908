package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/fixes"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// UndoOptions holds what `kubectl argofix undo` needs.
type UndoOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	ChangeFlags

	Journal *fixes.Journal
}

// NewCmdUndo builds `kubectl argofix undo JOURNAL`.
func NewCmdUndo(root *RootOptions) *cobra.Command {
	o := &UndoOptions{Root: root}
	cmd := &cobra.Command{
		Use:   "undo JOURNAL",
		Short: "Restore what a fix changed, from its journal, and list what cannot be restored",
		Long: `Reads the journal a fix wrote before its first change and reverts, newest
first, every change that can be reverted: a patch is undone path by path,
each first tested to still hold what the fix wrote (a later change by
someone else is not overwritten); a created object is deleted; a deleted one
is recreated. What cannot be restored is listed with why: a finalizer
removed from an object being deleted cannot be put back, nor a namespace's
spec.finalizers. The undo goes through the same guards and writes a journal
of its own.`,
		Example: `  kubectl argofix undo ~/.local/state/kubectl-argofix/fix-20261126T101500Z-123.json --dry-run`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateCompleteRun(o.validate, func() error { return o.Complete(cmd, args) }, func() error { return o.Run(cmd.Context()) })
		},
	}
	o.addFlags(cmd, root.Getenv)
	return cmd
}

// Complete reads the journal and fills in the clients.
func (o *UndoOptions) Complete(cmd *cobra.Command, args []string) error {
	j, err := fixes.LoadJournal(args[0])
	if err != nil {
		return badInput("%w", err)
	}
	o.Journal = j
	if ctx := o.Root.kubeContext(); j.Context != "" && j.Context != ctx {
		return badInput("journal %s was written in kubeconfig context %q, not %q: switch with --context %s", args[0], j.Context, ctx, j.Context)
	}
	if o.Clients.Dynamic == nil {
		o.Clients, err = o.Root.clients()
	}
	return err
}

// Run reverts what can be reverted.
func (o *UndoOptions) Run(ctx context.Context) error {
	var listed strings.Builder
	plan := fixes.UndoPlan(o.Journal, io.MultiWriter(o.Root.Streams.Out, &listed))
	if len(plan.Steps) == 0 {
		fmt.Fprintln(o.Root.Streams.Out, "Nothing to undo.")
	} else if err := o.Root.applyPlan(ctx, o.Root.applier(o.Clients, &o.ChangeFlags), plan, nil); err != nil {
		return err
	}
	if listed.Len() > 0 {
		// Something could not be restored: that is not "done".
		return &ExitError{Code: ExitFindings}
	}
	return nil
}
