// Package diagnose reads an Argo CD installation into a Snapshot, runs the
// checks over it and reports what they found. It never changes the cluster.
package diagnose

import (
	"fmt"
	"time"
)

// Severity ranks a finding; the order matters for --fail-on.
type Severity string

// Severities, from worst to mildest.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// rank orders severities so that a higher number is worse.
func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// AtLeast tells whether s is as bad as or worse than other.
func (s Severity) AtLeast(other Severity) bool { return s.rank() >= other.rank() }

// ObjectRef names the Kubernetes object a finding is about.
type ObjectRef struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// String renders the object the way kubectl users type it.
func (o ObjectRef) String() string {
	kind := o.Kind
	if o.Group != "" {
		kind = o.Kind + "." + o.Group
	}
	if o.Namespace == "" {
		return kind + "/" + o.Name
	}
	return fmt.Sprintf("%s %s/%s", kind, o.Namespace, o.Name)
}

// Fix is a way out of a finding. Command is what a person runs today;
// Manifest, when set, is the object that command creates.
type Fix struct {
	ID          string `json:"id"`
	Risk        string `json:"risk"`
	Description string `json:"description"`
	Command     string `json:"command,omitempty"`
	Manifest    string `json:"manifest,omitempty"`
}

// Finding is one problem found, with the evidence behind it. Its JSON form
// is a public interface: see docs/output.md.
type Finding struct {
	ID       string     `json:"id"`
	Severity Severity   `json:"severity"`
	Object   ObjectRef  `json:"object"`
	Summary  string     `json:"summary"`
	Evidence []string   `json:"evidence"`
	Since    *time.Time `json:"since,omitempty"`
	Fixes    []Fix      `json:"fixes,omitempty"`
	Docs     string     `json:"docs"`
}

// DocsBase is where the page of each finding id lives.
const DocsBase = "https://github.com/argofix/kubectl-argofix/blob/main/docs/findings/"

// DocsURL returns the page that explains a finding id.
func DocsURL(id string) string { return DocsBase + id + ".md" }
