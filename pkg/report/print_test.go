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
				{ID: "set-project", Risk: "low", Description: "point elsewhere", Command: "kubectl patch"}},
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
	for _, want := range []string{"SEVERITY", "ERROR", "project-missing", "Application.argoproj.io argocd/b", "(1 more evidence lines: -o wide)",
		"kubectl create -f - <<'EOF'\n    kind: AppProject\nEOF", "(1 more fixes: -o wide)", "1 error(s), 0 warning(s), 1 info"} {
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
	for _, want := range []string{"SINCE", "2026-11-25T09:00:00Z", "e4", "set-project"} {
		if !strings.Contains(wide.String(), want) {
			t.Errorf("wide lacks %q:\n%s", want, wide.String())
		}
	}
	if err := Print(&plain, r, PrintOptions{Format: "xml"}); err == nil {
		t.Error("unknown format accepted")
	}
}
