package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
	"github.com/argofix/kubectl-argofix/pkg/suggest"
)

// addIgnoreFlag adds --ignore ID[,ID]: finding ids not to report. An object
// may also silence ids for itself with the annotation argofix.dev/ignore.
func (f *ReportFlags) addIgnoreFlag(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&f.Ignore, "ignore", nil,
		"finding ids not to report, e.g. repo-server-single,admin-enabled (one object: annotate it "+diagnose.IgnoreAnnotation+`: "id,id"`+")")
	_ = cmd.RegisterFlagCompletionFunc("ignore", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var ids []string
		for _, c := range diagnose.Checks() {
			ids = append(ids, c.ID)
		}
		return ids, cobra.ShellCompDirectiveNoFileComp
	})
}

// validateIgnore refuses an --ignore id no check has: a typo would
// silently ignore nothing.
func (f *ReportFlags) validateIgnore() error {
	var ids []string
	for _, c := range diagnose.Checks() {
		ids = append(ids, c.ID)
	}
	for _, id := range f.Ignore {
		if diagnose.CategoryOf(strings.TrimSpace(id)) != "" {
			continue
		}
		if closest := suggest.Closest(id, ids); len(closest) > 0 {
			return badInput("--ignore: no finding has id %q; did you mean %s?", id, strings.Join(closest, " or "))
		}
		return badInput("--ignore: no finding has id %q (the ids are listed in README.md)", id)
	}
	return nil
}

// applyIgnore hands --ignore to the checks' run.
func (f *ReportFlags) applyIgnore(snap *snapshot.Snapshot) {
	if snap == nil {
		return
	}
	for _, id := range f.Ignore {
		snap.Ignore = append(snap.Ignore, strings.TrimSpace(id))
	}
}

// checks are the checks a diagnose command runs: its categories, or all.
func (f *ReportFlags) checks() []diagnose.Check {
	if len(f.Categories) == 0 {
		return diagnose.Checks()
	}
	return diagnose.ChecksOf(f.Categories...)
}
