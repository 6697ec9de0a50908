package cli

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/docs/findings"
	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/suggest"
)

// NewCmdExplain builds `kubectl argofix explain ID`: a finding's page,
// offline, as shipped with this binary.
func NewCmdExplain(root *RootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "explain ID",
		Short: "Print the page of a finding id: cause, evidence, fixes, how to verify (offline)",
		Example: `  kubectl argofix explain app-deletion-stuck
  kubectl argofix explain namespace-terminating`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return findingIDs(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			page, err := fs.ReadFile(findings.Pages, args[0]+".md")
			if err != nil {
				hint := "ids: " + strings.Join(findingIDs(), ", ")
				if close := suggest.Closest(args[0], findingIDs()); len(close) > 0 {
					hint = "did you mean " + strings.Join(close, ", ") + "?"
				}
				return badInput("no finding %q; %s", args[0], hint)
			}
			_, err = fmt.Fprint(root.Streams.Out, string(page))
			return err
		},
	}
}

// findingIDs are the ids of every registered check.
func findingIDs() []string {
	var ids []string
	for _, c := range diagnose.Checks() {
		ids = append(ids, c.ID)
	}
	return ids
}
