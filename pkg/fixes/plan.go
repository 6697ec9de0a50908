// Package fixes is the only code that writes to the cluster. It executes
// the report.Action values of the fixes a diagnosis proposed, under the
// guards of every change: dry run, confirmation, preconditions bound to the
// object as diagnosed, a re-check just before writing, a journal written
// before the first write, least damage (--force for what orphans), and a
// permission check of every request before any of them is sent.
package fixes

import (
	"fmt"
	"strings"
	"time"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

// Step is one fix chosen for one finding.
type Step struct {
	// FindingID and Object name the finding the fix answers; a step asked
	// for directly (refresh, undo) answers none and is not re-checked.
	FindingID string
	Object    report.ObjectRef
	// Since dates the finding (the deletion, the operation, ...).
	Since *time.Time
	Fix   report.Fix
}

// FindingKey identifies the finding a step answers, across diagnoses.
func FindingKey(findingID string, object report.ObjectRef) string {
	return findingID + "|" + object.String()
}

// Key is the key of the step's finding.
func (s Step) Key() string { return FindingKey(s.FindingID, s.Object) }

// Recheck is a fresh diagnosis: the fixes proposed now, by finding key.
type Recheck map[string][]report.Fix

// NewRecheck indexes a fresh diagnosis's findings.
func NewRecheck(findings []report.Finding) Recheck {
	r := Recheck{}
	for _, f := range findings {
		r[FindingKey(f.ID, f.Object)] = f.Fixes
	}
	return r
}

// stillNeeded tells whether the step's finding still holds and, when the
// fresh diagnosis proposes fixes of the same id, whether one of them still
// targets the same objects (a finalizer someone else removed meanwhile is
// resolved). The bodies are not compared: a changed object is for the
// step's preconditions to catch, as a conflict.
func (s Step) stillNeeded(r Recheck) bool {
	if s.FindingID == "" {
		return true
	}
	now, holds := r[s.Key()]
	if !holds {
		return false
	}
	sameID := false
	for _, f := range now {
		if f.ID != s.Fix.ID {
			continue
		}
		sameID = true
		if sameTargets(f.Actions, s.Fix.Actions) {
			return true
		}
	}
	return !sameID
}

func sameTargets(a, b []report.Action) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Ref() != b[i].Ref() || a[i].Verb != b[i].Verb {
			return false
		}
	}
	return true
}

// Plan is the ordered list of steps a command will apply.
type Plan struct {
	Steps []Step
}

// Actions counts the API requests of the plan.
func (p Plan) Actions() int {
	n := 0
	for _, s := range p.Steps {
		n += len(s.Fix.Actions)
	}
	return n
}

// Describe renders the plan the way it is shown before confirmation:
// each step, its risk, what it does, and the exact requests.
func (p Plan) Describe() string {
	var b strings.Builder
	for i, s := range p.Steps {
		fmt.Fprintf(&b, "%d. %s (%s risk) %s\n", i+1, s.Fix.ID, s.Fix.Risk, s.answers())
		fmt.Fprintf(&b, "   %s\n", s.Fix.Description)
		if s.Fix.Force != "" {
			fmt.Fprintf(&b, "   needs --force: %s\n", s.Fix.Force)
		}
		for _, a := range s.Fix.Actions {
			b.WriteString(indent(a.Kubectl(), "   $ ", "     "))
		}
	}
	return b.String()
}

// indent prefixes the first line with first and the others with rest.
func indent(text, first, rest string) string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var b strings.Builder
	for i, l := range lines {
		prefix := rest
		if i == 0 {
			prefix = first
		}
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}

// Select builds a plan from a report's findings. With no ids, each finding
// contributes its first fix (the one its check prefers: the cause, not the
// finalizer), except high-risk fixes, which must be asked for by id. With
// ids, every fix of those ids is taken. Fixes without actions (advice for a
// person) are returned apart, and an action proposed twice (create-project
// by two findings) is kept once.
func Select(findings []report.Finding, ids []string) (plan Plan, manual []Step) {
	seen := map[string]bool{}
	for _, f := range findings {
		for i, fix := range f.Fixes {
			if !wanted(fix, i, ids) {
				continue
			}
			step := Step{FindingID: f.ID, Object: f.Object, Since: f.Since, Fix: fix}
			if len(fix.Actions) == 0 {
				manual = append(manual, step)
				continue
			}
			if key := report.KubectlCommands(fix.Actions); !seen[key] {
				seen[key] = true
				plan.Steps = append(plan.Steps, step)
			}
		}
	}
	return plan, manual
}

func wanted(fix report.Fix, index int, ids []string) bool {
	if len(ids) > 0 {
		for _, id := range ids {
			if id == fix.ID {
				return true
			}
		}
		return false
	}
	return index == 0 && fix.Risk != "high"
}

// answers names what the step is for: the finding, or only the object.
func (s Step) answers() string {
	if s.FindingID == "" {
		return "on " + s.Object.String()
	}
	return "for " + s.FindingID + " " + s.Object.String()
}
