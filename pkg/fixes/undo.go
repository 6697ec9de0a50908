package fixes

import (
	"fmt"
	"io"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

// UndoPlan turns a journal into the plan that reverts it: the applied
// actions that can be restored, newest first. What cannot be restored is
// listed on out, with why.
func UndoPlan(j *Journal, out io.Writer) Plan {
	var plan Plan
	for i := len(j.Entries) - 1; i >= 0; i-- {
		e := j.Entries[i]
		if e.Status == Pending {
			fmt.Fprintf(out, "Cannot restore: the %s of %s may or may not have been applied (the run stopped before recording it); check the object by hand against the journal's prior state\n", e.Action.Verb, e.Action.Ref())
			continue
		}
		if e.Status != Applied {
			continue
		}
		if e.Undo == nil {
			fmt.Fprintf(out, "Cannot restore: the %s of %s: %s\n", e.Action.Verb, e.Action.Ref(), e.NotRestorable)
			continue
		}
		plan.Steps = append(plan.Steps, Step{Object: e.Action.Ref(), Fix: undoFix(e)})
	}
	return plan
}

func undoFix(e JournalEntry) report.Fix {
	return report.NewFix("undo", "medium", fmt.Sprintf("revert the %s of %s made by the journal's run", e.Action.Verb, e.Action.Ref()), *e.Undo)
}
