package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

// report mirrors the plugin's JSON report (docs/output.md). Extra
// fields are allowed (the report may grow, e.g. a fix's manifest); the
// required ones are checked by validate.
type report struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Findings   []finding       `json:"findings"`
	Summary    *map[string]int `json:"summary"`
	Instances  []struct {
		Namespace string `json:"namespace"`
	} `json:"instances"`
}

// instanceNamespaces are the Argo CD namespaces the report judged by.
func (r *report) instanceNamespaces() []string {
	var out []string
	for _, in := range r.Instances {
		out = append(out, in.Namespace)
	}
	return out
}

// finding returns the finding id reports on namespace/name, if any.
func (r *report) finding(id, namespace, name string) (finding, bool) {
	for _, f := range r.Findings {
		if f.ID == id && f.Object != nil && f.Object.Namespace == namespace && f.Object.Name == name {
			return f, true
		}
	}
	return finding{}, false
}

type finding struct {
	ID       string     `json:"id"`
	Severity string     `json:"severity"`
	Object   *objectRef `json:"object"`
	Summary  string     `json:"summary"`
	Evidence []string   `json:"evidence"`
	Since    string     `json:"since"`
	Fixes    []fixRef   `json:"fixes"`
	Docs     string     `json:"docs"`
}

type objectRef struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

type fixRef struct {
	ID          string `json:"id"`
	Risk        string `json:"risk"`
	Description string `json:"description"`
	Command     string `json:"command"`
}

var findingID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// decodeReport decodes and validates the report against the schema.
func decodeReport(stdout string) (*report, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(stdout)))
	var r report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("stdout is not a JSON report: %w", err)
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *report) validate() error {
	if r.APIVersion != "argofix/v1alpha1" || r.Kind != "Report" {
		return fmt.Errorf("apiVersion/kind %q/%q, want argofix/v1alpha1/Report", r.APIVersion, r.Kind)
	}
	if r.Findings == nil {
		return fmt.Errorf("findings missing (want [] when there are none)")
	}
	if r.Summary == nil {
		return fmt.Errorf("summary missing")
	}
	counts := map[string]int{"error": 0, "warning": 0, "info": 0}
	for i, f := range r.Findings {
		if err := f.validate(); err != nil {
			return fmt.Errorf("finding %d (%s): %w", i, f.ID, err)
		}
		counts[f.Severity]++
	}
	for sev, n := range counts {
		got, ok := (*r.Summary)[sev]
		if !ok {
			return fmt.Errorf("summary.%s missing", sev)
		}
		if got != n {
			return fmt.Errorf("summary.%s = %d, but %d findings have that severity", sev, got, n)
		}
	}
	return nil
}

func (f finding) validate() error {
	if !findingID.MatchString(f.ID) {
		return fmt.Errorf("id %q is not kebab-case", f.ID)
	}
	switch f.Severity {
	case "error", "warning", "info":
	default:
		return fmt.Errorf("severity %q not in error|warning|info", f.Severity)
	}
	if f.Object == nil || f.Object.Kind == "" {
		return fmt.Errorf("object.kind missing")
	}
	if f.Object.Name == "" {
		return fmt.Errorf("object.name missing")
	}
	if f.Summary == "" {
		return fmt.Errorf("summary missing")
	}
	if f.Docs == "" {
		return fmt.Errorf("docs missing")
	}
	if f.Since != "" {
		if _, err := time.Parse(time.RFC3339, f.Since); err != nil {
			return fmt.Errorf("since %q is not RFC 3339: %w", f.Since, err)
		}
	}
	for _, x := range f.Fixes {
		if x.ID == "" || x.Description == "" {
			return fmt.Errorf("fix without id or description: %+v", x)
		}
	}
	return nil
}

func (r *report) ids() map[string]bool {
	m := map[string]bool{}
	for _, f := range r.Findings {
		m[f.ID] = true
	}
	return m
}
