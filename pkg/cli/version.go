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
			_, err := fmt.Fprint(root.Streams.Out, versionLine(root.Build))
			return err
		},
	}
}

// versionLine is what `version` and `--version` print: the semantic
// version when built from a tag (git describe), the commit and the date.
func versionLine(b BuildInfo) string {
	return fmt.Sprintf("kubectl-argofix %s (commit %s, built %s)\n", b.Version, b.Commit, b.Date)
}
