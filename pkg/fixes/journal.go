package fixes

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

// Journal is the receipt of one `fix` run, written before its first write
// and after each action: the full prior state of every object touched, the
// actions, what happened to each, and how to undo it. It is versioned and
// self-describing, so `kubectl argofix undo` can read it on another day.
type Journal struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Created    time.Time `json:"created"`
	// Context is the kubeconfig context the changes were made in.
	Context string         `json:"context,omitempty"`
	Entries []JournalEntry `json:"entries"`

	path string
}

// JournalEntry is one action and its outcome.
type JournalEntry struct {
	Step   string        `json:"step"`
	Action report.Action `json:"action"`
	// Before is the object as read just before the write (null for a
	// create of an object that did not exist).
	Before json.RawMessage `json:"before"`
	// After is the object the server returned (null for a delete).
	After  json.RawMessage `json:"after,omitempty"`
	Status Outcome         `json:"status"`
	// Message says why an action was not applied.
	Message string `json:"message,omitempty"`
	// Undo is the request that reverts the action; NotRestorable says
	// why there is none.
	Undo          *report.Action `json:"undo,omitempty"`
	NotRestorable string         `json:"notRestorable,omitempty"`
}

// Outcome is what happened to one action.
type Outcome string

// Outcomes of an action.
const (
	Pending  Outcome = "pending"
	Applied  Outcome = "applied"
	Resolved Outcome = "already-resolved"
	Conflict Outcome = "conflict"
	Refused  Outcome = "refused"
	Failed   Outcome = "failed"
)

const journalKind = "Journal"

// DefaultJournalDir is $XDG_STATE_HOME/kubectl-argofix, or
// ~/.local/state/kubectl-argofix as the XDG spec defaults it.
func DefaultJournalDir(getenv func(string) string) string {
	if dir := getenv("XDG_STATE_HOME"); dir != "" {
		return filepath.Join(dir, "kubectl-argofix")
	}
	return filepath.Join(getenv("HOME"), ".local", "state", "kubectl-argofix")
}

// newJournal starts a journal file in dir, named after the time.
func newJournal(dir, kubeContext string, now time.Time) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create journal directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "fix-"+now.UTC().Format("20060102T150405Z")+"-*.json")
	if err != nil {
		return nil, fmt.Errorf("create journal in %s: %w", dir, err)
	}
	path := f.Name()
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("create journal %s: %w", path, err)
	}
	return &Journal{APIVersion: "argofix/v1alpha1", Kind: journalKind, Created: now.UTC(), Context: kubeContext, path: path}, nil
}

// Path is where the journal is written.
func (j *Journal) Path() string { return j.path }

// save writes the journal: to a temporary file, then renamed over the old
// one, so that a crash never leaves half a journal.
func (j *Journal) save() error {
	out, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("render journal: %w", err)
	}
	tmp := j.path + ".tmp"
	if err := os.WriteFile(tmp, append(out, '\n'), 0o600); err != nil {
		return fmt.Errorf("write journal %s: %w", j.path, err)
	}
	if err := os.Rename(tmp, j.path); err != nil {
		return fmt.Errorf("write journal %s: %w", j.path, err)
	}
	return nil
}

// LoadJournal reads a journal written by a fix.
func LoadJournal(path string) (*Journal, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	var j Journal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("journal %s is not valid JSON: %w", path, err)
	}
	if j.APIVersion != "argofix/v1alpha1" || j.Kind != journalKind {
		return nil, fmt.Errorf("%s is not a kubectl-argofix journal (apiVersion %q, kind %q)", path, j.APIVersion, j.Kind)
	}
	j.path = path
	return &j, nil
}
