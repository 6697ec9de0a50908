package report

import (
	"slices"
	"sort"
	"strings"
)

// Report is the whole result of one diagnosis, as printed by -o json|yaml.
type Report struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Findings   []Finding `json:"findings"`
	Summary    Summary   `json:"summary"`
	// Incomplete lists what could not be read and which checks that silenced.
	Incomplete []ReadProblem `json:"incomplete,omitempty"`
	// Instances are the Argo CD installations the diagnosis judged apps
	// against.
	Instances []Instance `json:"instances,omitempty"`
}

// Instance is an Argo CD installation, by its control namespace. Guessed:
// no controller was found and the namespace is only the default.
type Instance struct {
	Namespace string `json:"namespace"`
	Guessed   bool   `json:"guessed,omitempty"`
}

// Summary counts findings by severity.
type Summary struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
	Info    int `json:"info"`
}

// ReadProblem records a read that failed without failing the diagnosis,
// typically a permission the user lacks, and the checks it affected:
// Skipped did not run at all, Limited ran on what could be read.
type ReadProblem struct {
	Verb      string   `json:"verb"`
	Resource  string   `json:"resource"`
	Namespace string   `json:"namespace,omitempty"`
	Error     string   `json:"error"`
	Skipped   []string `json:"skippedChecks,omitempty"`
	Limited   []string `json:"limitedChecks,omitempty"`
}

// NewReport orders findings worst first, then by object, and counts them.
func NewReport(findings []Finding, incomplete []ReadProblem) Report {
	sorted := append([]Finding(nil), findings...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Severity != b.Severity {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.Object.Namespace != b.Object.Namespace {
			return a.Object.Namespace < b.Object.Namespace
		}
		if a.Object.Name != b.Object.Name {
			return a.Object.Name < b.Object.Name
		}
		return a.ID < b.ID
	})
	r := Report{APIVersion: "argofix/v1alpha1", Kind: "Report", Findings: sorted, Incomplete: sortedProblems(incomplete)}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	for _, f := range sorted {
		switch f.Severity {
		case SeverityError:
			r.Summary.Error++
		case SeverityWarning:
			r.Summary.Warning++
		case SeverityInfo:
			r.Summary.Info++
		}
	}
	return r
}

// Fails tells whether any finding is at or above the --fail-on threshold.
// An empty threshold ("never") never fails.
func (r Report) Fails(threshold Severity) bool {
	if threshold == "" {
		return false
	}
	for _, f := range r.Findings {
		if f.Severity.AtLeast(threshold) {
			return true
		}
	}
	return false
}

// sortedProblems orders read problems and drops repeats (the same refused
// read reported by two readers), so that the same cluster gives
// byte-identical JSON twice.
func sortedProblems(problems []ReadProblem) []ReadProblem {
	key := func(p ReadProblem) string {
		return strings.Join([]string{p.Resource, p.Namespace, p.Verb, p.Error, strings.Join(p.Skipped, ","), strings.Join(p.Limited, ",")}, "\x00")
	}
	out := slices.Clone(problems)
	slices.SortStableFunc(out, func(a, b ReadProblem) int { return strings.Compare(key(a), key(b)) })
	return slices.CompactFunc(out, func(a, b ReadProblem) bool { return key(a) == key(b) })
}
