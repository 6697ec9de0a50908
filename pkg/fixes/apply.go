package fixes

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	authorizationclient "k8s.io/client-go/kubernetes/typed/authorization/v1"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

// DryRun is kubectl's --dry-run: none, client or server.
type DryRun string

// Dry-run modes.
const (
	DryRunNone   DryRun = "none"
	DryRunClient DryRun = "client"
	DryRunServer DryRun = "server"
)

// Applier executes plans under the guards. Everything it needs is
// injected: the clients, the streams, the clock, and the re-check.
type Applier struct {
	Dynamic dynamic.Interface
	Reviews authorizationclient.SelfSubjectAccessReviewInterface
	Out     io.Writer
	In      io.Reader
	// InIsTerminal: a person can answer the confirmation prompt.
	InIsTerminal bool
	DryRun       DryRun
	Yes          bool
	Force        bool
	JournalDir   string
	KubeContext  string
	Now          func() time.Time
	// Recheck re-runs the diagnosis just before the writes; nil skips the
	// re-check (a plan that answers no finding, such as an undo).
	Recheck func(ctx context.Context) (Recheck, error)
	// WaitRollout, when set, follows each restarted workload's rollout up
	// to this long before the next change (kubectl rollout status).
	WaitRollout time.Duration
	// DisplayName is what users type to run argofix, in the undo hint
	// ("kubectl argofix" when empty, or "argocd argofix").
	DisplayName string
}

// Result counts what happened to the actions of a plan.
type Result struct {
	Applied, Resolved, Conflicts, Refused, Failed int
	// Journal is the path of the journal, when anything was written.
	Journal string
}

// Clean is true when nothing was refused, conflicted or failed: exit 0.
func (r Result) Clean() bool { return r.Conflicts+r.Refused+r.Failed == 0 }

// ErrNotConfirmed: no terminal to ask on and no --yes.
var ErrNotConfirmed = errors.New("refusing to change the cluster without confirmation: there is no terminal to ask on; review the plan (--dry-run) and rerun with --yes")

// Apply shows the plan, then, unless it is a dry run, checks permissions,
// asks for confirmation, re-checks, journals and applies it. An error
// means nothing was sent (not permitted, not confirmed, a failed read);
// what happened to each action otherwise is in the Result.
func (a *Applier) Apply(ctx context.Context, plan Plan) (Result, error) {
	var res Result
	if len(plan.Steps) == 0 {
		fmt.Fprintln(a.Out, "Nothing to fix.")
		return res, nil
	}
	fmt.Fprintf(a.Out, "Plan (%d changes):\n%s", plan.Actions(), plan.Describe())
	plan, res.Refused = a.leastDamage(plan)
	if len(plan.Steps) == 0 {
		return res, nil
	}
	if a.DryRun == DryRunClient {
		fmt.Fprintln(a.Out, "Dry run (client): nothing was sent.")
		return res, nil
	}
	if err := checkPermissions(ctx, a.Reviews, plan); err != nil {
		return res, err
	}
	if a.DryRun == DryRunServer {
		return a.serverDryRun(ctx, plan, res)
	}
	if ok, err := a.confirm(plan); err != nil || !ok {
		if err == nil {
			fmt.Fprintln(a.Out, "Nothing was changed.")
			res.Refused += plan.Actions()
		}
		return res, err
	}
	plan, resolved, err := a.recheck(ctx, plan)
	res.Resolved += resolved
	if err != nil || len(plan.Steps) == 0 {
		return res, err
	}
	return a.applyJournaled(ctx, plan, res)
}

// leastDamage refuses the steps that need --force when it was not given.
func (a *Applier) leastDamage(plan Plan) (Plan, int) {
	var kept Plan
	refused := 0
	for _, s := range plan.Steps {
		if s.Fix.Force != "" && !a.Force {
			fmt.Fprintf(a.Out, "Refused without --force: %s for %s: %s\n", s.Fix.ID, s.Object, s.Fix.Force)
			if a.DryRun == DryRunNone {
				refused += len(s.Fix.Actions)
			}
			continue
		}
		kept.Steps = append(kept.Steps, s)
	}
	return kept, refused
}

// confirm asks `Apply N changes? (y/N)` on a terminal; without one, only
// --yes goes ahead.
func (a *Applier) confirm(plan Plan) (bool, error) {
	if a.Yes {
		return true, nil
	}
	if !a.InIsTerminal {
		return false, ErrNotConfirmed
	}
	fmt.Fprintf(a.Out, "Apply %d changes? (y/N) ", plan.Actions())
	answer, err := bufio.NewReader(a.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read the answer: %w", err)
	}
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes", nil
}

// recheck drops the steps whose finding no longer holds.
func (a *Applier) recheck(ctx context.Context, plan Plan) (Plan, int, error) {
	if a.Recheck == nil {
		return plan, 0, nil
	}
	still, err := a.Recheck(ctx)
	if err != nil {
		return plan, 0, fmt.Errorf("re-check before writing: %w", err)
	}
	var kept Plan
	resolved := 0
	for _, s := range plan.Steps {
		if !s.stillNeeded(still) {
			fmt.Fprintf(a.Out, "Already resolved, skipped: %s %s\n", s.Fix.ID, s.answers())
			resolved += len(s.Fix.Actions)
			continue
		}
		kept.Steps = append(kept.Steps, s)
	}
	return kept, resolved, nil
}

// serverDryRun sends every action with dryRun=All and shows what the
// server would have done, or why it would refuse.
func (a *Applier) serverDryRun(ctx context.Context, plan Plan, res Result) (Result, error) {
	for _, s := range plan.Steps {
		for _, act := range s.Fix.Actions {
			before, err := get(ctx, a.Dynamic, act)
			if err != nil {
				return res, err
			}
			after, err := send(ctx, a.Dynamic, act, true)
			if err != nil {
				outcome, msg := classify(act, err)
				fmt.Fprintf(a.Out, "Dry run (server): %s: %s\n", outcome, msg)
				res.count(outcome)
				continue
			}
			fmt.Fprintf(a.Out, "Dry run (server): the API server accepts the %s of %s%s\n", act.Verb, act.Ref(), changes(before, after))
		}
	}
	fmt.Fprintln(a.Out, "Dry run (server): nothing was persisted.")
	return res, nil
}

// applyJournaled reads the prior state of every object, writes the journal,
// then applies step by step, saving the journal after each action (before
// waiting on a rollout). A conflict stops its own step; the other steps go
// on. If the journal cannot be saved once writes began, the run stops and
// still says what was done and where the journal is.
func (a *Applier) applyJournaled(ctx context.Context, plan Plan, res Result) (Result, error) {
	var entries []JournalEntry
	for n, s := range plan.Steps {
		for _, act := range s.Fix.Actions {
			before, err := get(ctx, a.Dynamic, act)
			if err != nil {
				return res, err
			}
			step := fmt.Sprintf("%d. %s %s", n+1, s.Fix.ID, s.answers())
			entries = append(entries, JournalEntry{Step: step, Action: act, Before: raw(before), Status: Pending})
		}
	}
	journal, err := newJournal(a.JournalDir, a.KubeContext, a.Now())
	if err != nil {
		return res, err
	}
	journal.Entries = entries
	if err := journal.save(); err != nil {
		return res, err
	}
	res.Journal = journal.Path()
	halted := ""
	for i := 0; i < len(journal.Entries); {
		if i, halted, err = a.applyStep(ctx, journal, i, &res, halted); err != nil {
			a.summarize(res)
			return res, err
		}
	}
	a.summarize(res)
	return res, nil
}

// applyStep applies the entries of one step from index i, and returns the
// index of the next step's first entry. A conflict stops its own step; a
// rollout that does not finish (halted) stops the rest of the plan.
func (a *Applier) applyStep(ctx context.Context, journal *Journal, i int, res *Result, halted string) (int, string, error) {
	step := journal.Entries[i].Step
	stopped := halted
	for ; i < len(journal.Entries) && journal.Entries[i].Step == step; i++ {
		e := &journal.Entries[i]
		if stopped != "" {
			e.Status, e.Message = Refused, "not sent: "+stopped
			fmt.Fprintf(a.Out, "Not sent: the %s of %s (%s)\n", e.Action.Verb, e.Action.Ref(), stopped)
			res.count(Refused)
			continue
		}
		if sentBefore(journal.Entries[:i], e.Action) {
			// Two fixes asked for the same request (a restart of the same
			// workload): it was sent once; a second time would only trip
			// its own precondition.
			e.Status, e.Message = Resolved, "the same request was already sent in this run"
			fmt.Fprintf(a.Out, "Already sent in this run: the %s of %s\n", e.Action.Verb, e.Action.Ref())
			res.count(Resolved)
			continue
		}
		if by := templateChangedBefore(journal.Entries[:i], e.Action); by != "" {
			e.Status, e.Message = Resolved, "step "+by+" changed its pod template in this run, which restarts its pods"
			fmt.Fprintf(a.Out, "Not sent: the restart of %s: %s\n", e.Action.Ref(), e.Message)
			res.count(Resolved)
			continue
		}
		after, err := send(ctx, a.Dynamic, e.Action, false)
		if err != nil {
			e.Status, e.Message = classify(e.Action, err)
			fmt.Fprintf(a.Out, "%s: %s\n", e.Status, e.Message)
			res.count(e.Status)
			if e.Status != Resolved {
				stopped = "an earlier change of the same fix did not apply"
			}
			continue
		}
		e.Status, e.After = Applied, raw(after)
		e.Undo, e.NotRestorable = inverse(e.Action, decode(e.Before), decode(e.After))
		fmt.Fprintf(a.Out, "Applied: the %s of %s\n", e.Action.Verb, e.Action.Ref())
		res.count(Applied)
		if err := journal.save(); err != nil {
			return i + 1, halted, fmt.Errorf("%s was applied but the journal could not be saved: %w", e.Action.Ref(), err)
		}
		if a.WaitRollout > 0 && isRolloutRestart(e.Action) {
			if err := a.waitRollout(ctx, e.Action); err != nil {
				e.Message = err.Error()
				fmt.Fprintf(a.Out, "%s\n", err)
				res.Failed++
				halted = "the rollout before it did not finish"
				stopped = halted
			}
		}
	}
	return i, halted, journal.save()
}

func (a *Applier) summarize(res Result) {
	fmt.Fprintf(a.Out, "%d applied, %d already resolved, %d conflicts, %d refused, %d failed.\n",
		res.Applied, res.Resolved, res.Conflicts, res.Refused, res.Failed)
	if res.Journal != "" {
		fmt.Fprintf(a.Out, "Journal: %s\nUndo with: %s undo %s\n", res.Journal, a.commandName(), res.Journal)
	}
}

func (r *Result) count(o Outcome) {
	switch o {
	case Applied:
		r.Applied++
	case Resolved:
		r.Resolved++
	case Conflict:
		r.Conflicts++
	case Refused:
		r.Refused++
	default:
		r.Failed++
	}
}

func raw(obj *unstructured.Unstructured) json.RawMessage {
	if obj == nil {
		return nil
	}
	return report.JSONBody(obj.Object)
}

func decode(data json.RawMessage) map[string]any {
	var m map[string]any
	if len(data) == 0 || json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m
}

// changes renders what the server's answer differs in from the object as
// it is, for a server-side dry run: the fields that would change.
func changes(before, after *unstructured.Unstructured) string {
	if after == nil {
		return ": it would be deleted"
	}
	if before == nil {
		return ": it would be created"
	}
	var lines []string
	diff("", before.Object, after.Object, &lines)
	if len(lines) == 0 {
		return ": nothing would change"
	}
	return ":\n    " + strings.Join(lines, "\n    ")
}

// ignoredChanges are fields the server sets on every write.
var ignoredChanges = map[string]bool{"/metadata/resourceVersion": true, "/metadata/managedFields": true, "/metadata/generation": true}

func diff(path string, a, b any, lines *[]string) {
	if ignoredChanges[path] {
		return
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		for _, k := range union(am, bm) {
			diff(path+"/"+report.PointerToken(k), am[k], bm[k], lines)
		}
		return
	}
	if string(report.JSONBody(a)) != string(report.JSONBody(b)) {
		*lines = append(*lines, fmt.Sprintf("%s: %s -> %s", path, report.JSONBody(a), report.JSONBody(b)))
	}
}

// union is the sorted keys of both maps.
func union(a, b map[string]any) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// commandName is what users type to run argofix.
func (a *Applier) commandName() string {
	if a.DisplayName == "" {
		return "kubectl argofix"
	}
	return a.DisplayName
}

// sentBefore tells whether an identical request was applied earlier in
// the run.
func sentBefore(earlier []JournalEntry, act report.Action) bool {
	for _, e := range earlier {
		if e.Status == Applied && e.Action.Kubectl() == act.Kubectl() {
			return true
		}
	}
	return false
}
