package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// NewCmdVersion builds `kubectl argofix version`.
func NewCmdVersion(root *RootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl-argofix",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := root.Build
			_, err := fmt.Fprintf(root.Streams.Out, "kubectl-argofix %s (commit %s, built %s)\n", b.Version, b.Commit, b.Date)
			return err
		},
	}
}
