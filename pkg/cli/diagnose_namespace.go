package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// DiagnoseNamespaceOptions holds what `kubectl argofix diagnose namespace` needs.
type DiagnoseNamespaceOptions struct {
	Root    *RootOptions
	Clients snapshot.Clients
	Now     func() time.Time
	ReportFlags

	Name   string
	ArgoCD argoCD
}

// NewCmdDiagnoseNamespace builds `kubectl argofix diagnose namespace NAME`.
func NewCmdDiagnoseNamespace(root *RootOptions) *cobra.Command {
	o := &DiagnoseNamespaceOptions{Root: root, Now: time.Now}
	cmd := &cobra.Command{
		Use:     "namespace NAME",
		Aliases: []string{"ns"},
		Short:   "Explain why a namespace is stuck Terminating: what remains and what holds it",
		Example: `  kubectl argofix diagnose namespace payments-prd`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateCompleteRun(o.Validate, func() error { return o.Complete(cmd, args) }, func() error { return o.Run(cmd.Context()) })
		},
	}
	o.addFlags(cmd)
	return cmd
}

// Complete fills in the clients and the Argo CD namespace.
func (o *DiagnoseNamespaceOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Name = args[0]
	var err error
	o.ArgoCD, err = o.Root.completeClients(cmd.Context(), &o.Clients)
	return err
}

// Validate checks the flags.
func (o *DiagnoseNamespaceOptions) Validate() error { return o.validate() }

// Run collects, checks and prints.
func (o *DiagnoseNamespaceOptions) Run(ctx context.Context) error {
	snap, err := snapshot.CollectNamespace(ctx, o.Clients, o.Name, o.ArgoCD.collectOptions(o.Now(), o.StuckAfter))
	var notTerminating string
	if err == nil && snap.Namespaces[0].DeletionTimestamp == nil {
		// "No problems found" would answer a question nobody asked.
		notTerminating = fmt.Sprintf("Namespace %s is %s, not Terminating: nothing holds it.", o.Name, snap.Namespaces[0].Status.Phase)
	}
	return reportDiagnosis(o.Root, &o.ReportFlags, snap, err, notTerminating)
}
