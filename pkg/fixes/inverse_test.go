package fixes

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

func obj(js string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		panic(err)
	}
	return m
}

func TestInverse(t *testing.T) {
	jsonPatch := func(ops ...map[string]any) report.Action {
		a := appGVR
		a.Verb, a.PatchType, a.Body = report.VerbPatch, report.PatchJSON, report.JSONBody(ops)
		return a
	}
	merge := appGVR
	merge.Verb, merge.PatchType = report.VerbPatch, report.PatchMerge
	merge.Body = report.JSONBody(map[string]any{"metadata": map[string]any{"annotations": map[string]string{"a/b": "now"}}})
	created := report.Action{Verb: report.VerbCreate, Group: "argoproj.io", Version: "v1alpha1", Resource: "appprojects", Kind: "AppProject", Namespace: "argocd", Name: "p"}
	deletedPod := report.Action{Verb: report.VerbDelete, Version: "v1", Resource: "pods", Kind: "Pod", Namespace: "shop", Name: "db-0"}
	deletedAPIService := report.Action{Verb: report.VerbDelete, Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices", Kind: "APIService", Name: "v1beta1.metrics.k8s.io"}
	finalize := report.Action{Verb: report.VerbUpdate, Version: "v1", Resource: "namespaces", Kind: "Namespace", Name: "shop", Subresource: "finalize"}

	tests := []struct {
		name          string
		action        report.Action
		before, after string
		wantBody      string // the undo's body; "" when not restorable
		wantVerb      string
		wantUID       string
		notRestorable string
	}{
		{"set-project: test what we wrote, put back what was",
			jsonPatch(map[string]any{"op": "test", "path": "/spec/project", "value": "defualt"}, map[string]any{"op": "replace", "path": "/spec/project", "value": "default"}),
			`{"spec":{"project":"defualt"}}`, `{"spec":{"project":"default"}}`,
			`[{"op":"test","path":"/spec/project","value":"default"},{"op":"replace","path":"/spec/project","value":"defualt"}]`, report.VerbPatch, "", ""},
		{"an annotation added by a merge patch is removed",
			merge, `{"metadata":{"name":"web"}}`, `{"metadata":{"name":"web","annotations":{"a/b":"now"}}}`,
			`[{"op":"test","path":"/metadata/annotations/a~1b","value":"now"},{"op":"remove","path":"/metadata/annotations/a~1b"}]`, report.VerbPatch, "", ""},
		{"finalizers of an object being deleted cannot come back",
			jsonPatch(map[string]any{"op": "remove", "path": "/metadata/finalizers"}),
			`{"metadata":{"deletionTimestamp":"2026-11-25T09:00:00Z","finalizers":["x/y"]}}`, `{"metadata":{"deletionTimestamp":"2026-11-25T09:00:00Z"}}`,
			"", "", "", "finalizers cannot be re-added to an object that is being deleted"},
		{"finalizers of a live object are added back",
			jsonPatch(map[string]any{"op": "remove", "path": "/metadata/finalizers"}),
			`{"metadata":{"finalizers":["x/y"]}}`, `{"metadata":{"resourceVersion":"7"}}`,
			`[{"op":"test","path":"/metadata/resourceVersion","value":"7"},{"op":"add","path":"/metadata/finalizers","value":["x/y"]}]`, report.VerbPatch, "", ""},
		{"an entry appended to a list: the list is put back, tested",
			jsonPatch(map[string]any{"op": "test", "path": "/spec/sourceRepos", "value": []string{"a"}}, map[string]any{"op": "add", "path": "/spec/sourceRepos/-", "value": "b"}),
			`{"spec":{"sourceRepos":["a"]}}`, `{"spec":{"sourceRepos":["a","b"]}}`,
			`[{"op":"test","path":"/spec/sourceRepos","value":["a","b"]},{"op":"replace","path":"/spec/sourceRepos","value":["a"]}]`, report.VerbPatch, "", ""},
		{"a patch that changed nothing restorable", jsonPatch(map[string]any{"op": "test", "path": "/spec/x", "value": 1}),
			`{}`, `{}`, "", "", "", "changed nothing"},
		{"a status change is not restorable",
			jsonPatch(map[string]any{"op": "replace", "path": "/status/operationState/phase", "value": "Terminating"}),
			`{}`, `{}`, "", "", "", "it changed status"},
		{"a created object is deleted, bound to its UID",
			created, ``, `{"metadata":{"uid":"u-1"}}`, ``, report.VerbDelete, "u-1", ""},
		{"a force-deleted pod is gone", deletedPod, `{"metadata":{"name":"db-0"}}`, ``, "", "", "", "a force-deleted pod is gone"},
		{"a deleted APIService is recreated without server-set fields",
			deletedAPIService, `{"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"v1beta1.metrics.k8s.io","uid":"u","resourceVersion":"9"},"spec":{"group":"metrics.k8s.io"},"status":{"conditions":[]}}`, ``,
			`{"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"v1beta1.metrics.k8s.io"},"spec":{"group":"metrics.k8s.io"}}`, report.VerbCreate, "", ""},
		{"a namespace's spec.finalizers cannot come back", finalize, `{}`, `{}`, "", "", "", "spec.finalizers cannot be given back"},
	}
	for _, tt := range tests {
		var before, after map[string]any
		if tt.before != "" {
			before = obj(tt.before)
		}
		if tt.after != "" {
			after = obj(tt.after)
		}
		undo, why := inverse(tt.action, before, after)
		if tt.notRestorable != "" {
			if undo != nil || !strings.Contains(why, tt.notRestorable) {
				t.Errorf("%s: undo %+v, why %q; want not restorable: %q", tt.name, undo, why, tt.notRestorable)
			}
			continue
		}
		if undo == nil {
			t.Errorf("%s: not restorable (%s)", tt.name, why)
			continue
		}
		if undo.Verb != tt.wantVerb || undo.UID != tt.wantUID || string(undo.Body) != tt.wantBody {
			t.Errorf("%s: undo %s uid %q body %s\nwant %s uid %q body %s", tt.name, undo.Verb, undo.UID, undo.Body, tt.wantVerb, tt.wantUID, tt.wantBody)
		}
	}
}

func TestUndoPlanListsWhatCannotBeRestored(t *testing.T) {
	undo := patchOn("web")
	j := &Journal{Entries: []JournalEntry{
		{Step: "a", Action: patchOn("first"), Status: Applied, Undo: &undo},
		{Step: "b", Action: patchOn("second"), Status: Applied, NotRestorable: "finalizers cannot be re-added"},
		{Step: "c", Action: patchOn("third"), Status: Conflict},
	}}
	var out bytes.Buffer
	plan := UndoPlan(j, &out)
	if len(plan.Steps) != 1 || plan.Steps[0].Object.Name != "first" {
		t.Errorf("undo plan %+v, want the first entry only", plan.Steps)
	}
	if !strings.Contains(out.String(), "Cannot restore: the patch of Application.argoproj.io argocd/second: finalizers cannot be re-added") ||
		strings.Contains(out.String(), "third") {
		t.Errorf("listing:\n%s", out.String())
	}
}

func TestChangesShowsWhatTheServerWouldChange(t *testing.T) {
	got := changes(unstructuredOf(`{"metadata":{"resourceVersion":"1","finalizers":["a"]},"spec":{"x":1}}`),
		unstructuredOf(`{"metadata":{"resourceVersion":"2"},"spec":{"x":1}}`))
	if got != ":\n    /metadata/finalizers: [\"a\"] -> null" {
		t.Errorf("changes = %q", got)
	}
	if got := changes(nil, unstructuredOf(`{}`)); got != ": it would be created" {
		t.Errorf("create: %q", got)
	}
}

func unstructuredOf(js string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: obj(js)}
}
