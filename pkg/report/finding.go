// Package report is the argofix/v1alpha1 contract: Finding, Fix, Action,
// Report and the printers (table, wide, json, yaml). It imports no client-go.
package report

import (
	"fmt"
	"strings"
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

// Rank orders severities so that a higher number is worse.
func (s Severity) Rank() int {
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
func (s Severity) AtLeast(other Severity) bool { return s.Rank() >= other.Rank() }

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

// Short names the object the way kubectl's short names do, for tables:
// app/argocd/guestbook, ns/payments, crd/applications.argoproj.io.
func (o ObjectRef) Short() string {
	kind, ok := shortKinds[o.Kind]
	if !ok {
		kind = strings.ToLower(o.Kind)
	}
	if o.Namespace == "" {
		return kind + "/" + o.Name
	}
	return kind + "/" + o.Namespace + "/" + o.Name
}

// shortKinds are kubectl's short names, and Argo CD's for its own kinds.
var shortKinds = map[string]string{
	"Application": "app", "ApplicationSet": "appset", "AppProject": "appproj",
	"Namespace": "ns", "CustomResourceDefinition": "crd", "Pod": "pod",
	"Deployment": "deploy", "StatefulSet": "sts", "DaemonSet": "ds", "ReplicaSet": "rs",
	"Service": "svc", "ConfigMap": "cm", "Secret": "secret", "Ingress": "ing",
	"PersistentVolumeClaim": "pvc", "Job": "job", "Node": "node", "APIService": "apiservice",
}

// Fix is a way out of a finding. Actions are the API requests that apply
// it (none for advice a person must follow by hand); Kubectl renders them
// as the kubectl commands that make the same requests; Command is what to
// run (the kubectl argofix command that applies the fix under its guards,
// or the kubectl form for advice); Manifest is the object a create makes.
type Fix struct {
	ID          string   `json:"id"`
	Risk        string   `json:"risk"`
	Description string   `json:"description"`
	Command     string   `json:"command,omitempty"`
	Kubectl     string   `json:"kubectl,omitempty"`
	Manifest    string   `json:"manifest,omitempty"`
	Actions     []Action `json:"actions,omitempty"`
	// Force, when set, says why the fix is refused without --force: what
	// it would destroy or orphan.
	Force string `json:"force,omitempty"`
}

// NewFix is a fix applied by actions; its command is rendered from them.
func NewFix(id, risk, description string, actions ...Action) Fix {
	kubectl := KubectlCommands(actions)
	f := Fix{ID: id, Risk: risk, Description: description, Actions: actions, Command: kubectl, Kubectl: kubectl}
	for _, a := range actions {
		if a.Verb == VerbCreate {
			f.Manifest = a.Manifest()
		}
	}
	return f
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
