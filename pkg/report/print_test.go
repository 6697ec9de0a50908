package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sampleReport() Report {
	since := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	return NewReport([]Finding{
		{ID: "orphaned-resources", Severity: SeverityInfo, Object: ObjectRef{Group: "argoproj.io", Kind: "Application", Namespace: "argocd", Name: "a"},
			Summary: "info one", Evidence: []string{"e"}, Docs: DocsURL("orphaned-resources")},
		{ID: "project-missing", Severity: SeverityError, Object: ObjectRef{Group: "argoproj.io", Kind: "Application", Namespace: "argocd", Name: "b"},
			Summary: "Application references AppProject x", Evidence: []string{"e1", "e2", "e3", "e4"}, Since: &since,
			Fixes: []Fix{NewFix("create-project", "low", "create it", Action{Verb: VerbCreate, Group: "argoproj.io", Version: "v1alpha1",
				Resource: "appprojects", Kind: "AppProject", Namespace: "argocd", Name: "x", Body: JSONBody(map[string]string{"kind": "AppProject"})}),
				{ID: "set-project", Risk: "low", Description: "point elsewhere", Command: "kubectl patch"},
				{ID: "remove-finalizers", Risk: "high", Description: "strip", Command: "kubectl patch finalizers"}},
			Docs: DocsURL("project-missing")},
	}, nil)
}

func TestNewReportOrdersAndCounts(t *testing.T) {
	r := sampleReport()
	if r.Findings[0].ID != "project-missing" {
		t.Errorf("first finding %s, want the error first", r.Findings[0].ID)
	}
	if r.Summary != (Summary{Error: 1, Info: 1}) {
		t.Errorf("summary = %+v", r.Summary)
	}
	for _, tt := range []struct {
		threshold Severity
		want      bool
	}{{SeverityError, true}, {SeverityWarning, true}, {SeverityInfo, true}, {"", false}} {
		if got := r.Fails(tt.threshold); got != tt.want {
			t.Errorf("Fails(%q) = %v, want %v", tt.threshold, got, tt.want)
		}
	}
	if (Report{}).Fails(SeverityInfo) {
		t.Error("an empty report fails")
	}
}

func TestPrintJSONFollowsTheSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := Print(&buf, sampleReport(), PrintOptions{Format: OutputJSON}); err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded["apiVersion"] != "argofix/v1alpha1" || decoded["kind"] != "Report" {
		t.Errorf("header = %v %v", decoded["apiVersion"], decoded["kind"])
	}
	first := decoded["findings"].([]any)[0].(map[string]any)
	for _, key := range []string{"id", "severity", "object", "summary", "evidence", "since", "fixes", "docs"} {
		if _, ok := first[key]; !ok {
			t.Errorf("finding lacks %q: %v", key, first)
		}
	}
	empty := bytes.Buffer{}
	if err := Print(&empty, NewReport(nil, nil), PrintOptions{Format: OutputJSON}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(empty.String(), `"findings": []`) {
		t.Errorf("no findings must print an empty list, got %s", empty.String())
	}
}

func TestPrintTable(t *testing.T) {
	var plain, wide, colored bytes.Buffer
	r := sampleReport()
	if err := Print(&plain, r, PrintOptions{Format: OutputTable}); err != nil {
		t.Fatal(err)
	}
	if err := Print(&wide, r, PrintOptions{Format: OutputWide}); err != nil {
		t.Fatal(err)
	}
	if err := Print(&colored, r, PrintOptions{Format: OutputTable, Color: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SEVERITY", "ERROR", "project-missing", "app/argocd/b", "(1 more evidence lines: -o wide)",
		"kubectl create -f - <<'EOF'\n    kind: AppProject\nEOF", "fix set-project (low risk)", "(1 more high-risk fixes: -o wide)", "1 error(s), 0 warning(s), 1 info"} {
		if !strings.Contains(plain.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, plain.String())
		}
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("colour codes with colour off")
	}
	if !strings.Contains(colored.String(), "\x1b[") {
		t.Error("no colour codes with colour on")
	}
	if strings.Contains(plain.String(), "kubectl patch finalizers") {
		t.Error("the default table shows a high-risk fix")
	}
	for _, want := range []string{"SINCE", "2026-11-25T09:00:00Z", "e4", "set-project", "kubectl patch finalizers", "Application.argoproj.io argocd/b"} {
		if !strings.Contains(wide.String(), want) {
			t.Errorf("wide lacks %q:\n%s", want, wide.String())
		}
	}
	if err := Print(&plain, r, PrintOptions{Format: "xml"}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestPrintTableFitsTheWidth(t *testing.T) {
	long := strings.Repeat("word ", 60)
	r := NewReport([]Finding{{ID: "namespace-terminating", Severity: SeverityError, Object: ObjectRef{Kind: "Namespace", Name: "payments-prd"},
		Summary: long, Evidence: []string{"e"}, Docs: DocsURL("namespace-terminating")}}, nil)
	var b bytes.Buffer
	if err := Print(&b, r, PrintOptions{Format: OutputTable, Width: 120, NoHeaders: true}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if strings.HasPrefix(lines[0], "SEVERITY") {
		t.Errorf("--no-headers printed the header: %q", lines[0])
	}
	if n := len([]rune(lines[0])); n > 120 || !strings.HasSuffix(lines[0], "…") || !strings.Contains(lines[0], "ns/payments-prd") {
		t.Errorf("row is %d runes, want a cut row of at most 120 naming ns/payments-prd: %q", n, lines[0])
	}
	if !strings.Contains(b.String(), "  "+long+"\n") {
		t.Error("the detail block lost the full summary")
	}
}

func TestPrintLeadsWithWhatCouldNotBeRead(t *testing.T) {
	r := NewReport(nil, []ReadProblem{{Verb: "list", Resource: "secrets", Namespace: "argocd", Error: "forbidden", Skipped: []string{"destination-missing"}}})
	var b bytes.Buffer
	if err := Print(&b, r, PrintOptions{Format: OutputTable}); err != nil {
		t.Fatal(err)
	}
	want := "Incomplete: could not list secrets in namespace argocd (checks not run: destination-missing)\n\nNo problems found in what could be read.\n"
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("got:\n%s\nwant it to start with:\n%s", b.String(), want)
	}
}

func TestPrintName(t *testing.T) {
	var b bytes.Buffer
	if err := Print(&b, sampleReport(), PrintOptions{Format: OutputName}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "project-missing/app/argocd/b\norphaned-resources/app/argocd/a\n" {
		t.Errorf("-o name:\n%s", b.String())
	}
}

func TestIncompleteIsSortedAndDeduplicated(t *testing.T) {
	a := ReadProblem{Verb: "list", Resource: "secrets", Namespace: "argocd", Error: "forbidden"}
	b := ReadProblem{Verb: "list", Resource: "pods", Namespace: "shop", Error: "forbidden"}
	r := NewReport(nil, []ReadProblem{a, b, a})
	if len(r.Incomplete) != 2 || r.Incomplete[0].Resource != "pods" || r.Incomplete[1].Resource != "secrets" {
		t.Errorf("incomplete = %+v, want pods then secrets, once each", r.Incomplete)
	}
}

func TestReportSaysWhichArgoCD(t *testing.T) {
	r := NewReport(nil, nil)
	r.Instances = []Instance{{Namespace: "argocd", Guessed: true}}
	var table, js bytes.Buffer
	if err := Print(&table, r, PrintOptions{Format: OutputTable}); err != nil {
		t.Fatal(err)
	}
	if err := Print(&js, r, PrintOptions{Format: OutputJSON}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "0 info; Argo CD in namespace argocd (guessed: no application-controller found)") ||
		!strings.Contains(js.String(), `"instances": [`) || !strings.Contains(js.String(), `"guessed": true`) {
		t.Errorf("table:\n%s\njson:\n%s", table.String(), js.String())
	}
}

func TestReportNamesSeveralArgoCDs(t *testing.T) {
	for _, tt := range []struct {
		namespaces []string
		want       string
	}{
		{[]string{"argocd", "team-b"}, "Argo CD in 2 namespaces: argocd, team-b; each app judged by the one watching its namespace"},
		{[]string{"a", "b", "c", "d", "e", "f"}, "Argo CD in 6 namespaces: a, b, c, d and 2 more (-o json lists them);"},
	} {
		r := NewReport(nil, nil)
		for _, ns := range tt.namespaces {
			r.Instances = append(r.Instances, Instance{Namespace: ns})
		}
		var table bytes.Buffer
		if err := Print(&table, r, PrintOptions{Format: OutputTable}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(table.String(), tt.want) {
			t.Errorf("want %q in:\n%s", tt.want, table.String())
		}
	}
}
