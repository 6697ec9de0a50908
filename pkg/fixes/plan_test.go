package fixes

import (
	"reflect"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

var (
	appRef = report.ObjectRef{Group: "argoproj.io", Kind: "Application", Namespace: "argocd", Name: "web"}
	appGVR = report.Action{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications", Kind: "Application", Namespace: "argocd", Name: "web"}
)

func patchOn(name string) report.Action {
	a := appGVR
	a.Verb, a.Name, a.PatchType = report.VerbPatch, name, report.PatchJSON
	a.Body = report.JSONBody([]map[string]any{{"op": "remove", "path": "/metadata/finalizers"}})
	return a
}

func stepIDs(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.FindingID+"/"+s.Fix.ID)
	}
	return out
}

func TestSelect(t *testing.T) {
	create := report.NewFix("create-project", "low", "create", report.Action{Verb: report.VerbCreate, Resource: "appprojects", Name: "p", Body: report.JSONBody(map[string]any{})})
	strip := report.NewFix("remove-finalizers", "high", "strip", patchOn("web"))
	advice := report.Fix{ID: "verify-destination", Risk: "low", Description: "look", Command: "kubectl get secrets"}
	findings := []report.Finding{
		{ID: "app-deletion-stuck", Object: appRef, Fixes: []report.Fix{create, strip}},
		{ID: "project-missing", Object: appRef, Fixes: []report.Fix{create}},
		{ID: "destination-missing", Object: appRef, Fixes: []report.Fix{advice}},
		{ID: "only-high", Object: appRef, Fixes: []report.Fix{strip}},
	}
	tests := []struct {
		name       string
		ids        []string
		wantPlan   []string
		wantManual []string
	}{
		{"defaults: first fix of each finding, one create for two findings, never high risk",
			nil, []string{"app-deletion-stuck/create-project"}, []string{"destination-missing/verify-destination"}},
		{"named ids take every fix of that id, high risk included (deduplicated)",
			[]string{"remove-finalizers"}, []string{"app-deletion-stuck/remove-finalizers"}, nil},
		{"an id nobody proposes selects nothing", []string{"nope"}, nil, nil},
	}
	for _, tt := range tests {
		plan, manual := Select(findings, tt.ids)
		if got := stepIDs(plan.Steps); !reflect.DeepEqual(got, tt.wantPlan) {
			t.Errorf("%s: plan %v, want %v", tt.name, got, tt.wantPlan)
		}
		if got := stepIDs(manual); !reflect.DeepEqual(got, tt.wantManual) {
			t.Errorf("%s: manual %v, want %v", tt.name, got, tt.wantManual)
		}
	}
}

func TestStillNeeded(t *testing.T) {
	step := Step{FindingID: "namespace-terminating", Object: appRef, Fix: report.NewFix("remove-finalizers", "medium", "x", patchOn("a"))}
	key := step.Key()
	changedBody := patchOn("a")
	changedBody.Body = report.JSONBody([]map[string]any{{"op": "test", "path": "/metadata/finalizers", "value": []string{"other"}}})
	tests := []struct {
		name    string
		recheck Recheck
		want    bool
	}{
		{"the finding is gone", Recheck{}, false},
		{"the same fix on the same object: needed, even with another body (the precondition judges that)",
			Recheck{key: {report.NewFix("remove-finalizers", "medium", "x", changedBody)}}, true},
		{"fixes of that id, none on this object any more: resolved",
			Recheck{key: {report.NewFix("remove-finalizers", "medium", "x", patchOn("b"))}}, false},
		{"the finding holds and proposes no fix of that id (set-project to a named project): needed",
			Recheck{key: {report.NewFix("create-project", "low", "x")}}, true},
	}
	for _, tt := range tests {
		if got := step.stillNeeded(tt.recheck); got != tt.want {
			t.Errorf("%s: stillNeeded = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPlanDescribeShowsForceAndRequests(t *testing.T) {
	fix := report.NewFix("remove-finalizers", "high", "strip", patchOn("web"))
	fix.Force = "1 live resource would be orphaned"
	got := Plan{Steps: []Step{{FindingID: "app-deletion-stuck", Object: appRef, Fix: fix}}}.Describe()
	want := "1. remove-finalizers (high risk) for app-deletion-stuck Application.argoproj.io argocd/web\n" +
		"   strip\n   needs --force: 1 live resource would be orphaned\n" +
		"   $ kubectl -n argocd patch applications.argoproj.io web --type json -p '[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]'\n"
	if got != want {
		t.Errorf("Describe:\n%s\nwant:\n%s", got, want)
	}
}

func TestSentBefore(t *testing.T) {
	a, b := patchOn("web"), patchOn("api")
	earlier := []JournalEntry{{Action: a, Status: Applied}, {Action: b, Status: Conflict}}
	if !sentBefore(earlier, patchOn("web")) {
		t.Error("an identical request applied earlier is not recognised")
	}
	if sentBefore(earlier, patchOn("api")) {
		t.Error("a request that conflicted earlier counts as sent")
	}
}

func TestTemplateChangedBefore(t *testing.T) {
	sts := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	controller := report.ObjectRef{Group: "apps", Kind: "StatefulSet", Namespace: "argocd", Name: "argocd-application-controller"}
	server := report.ObjectRef{Group: "apps", Kind: "Deployment", Namespace: "argocd", Name: "argocd-server"}
	restart := func(ref report.ObjectRef) report.Action {
		return report.RolloutRestartAction(sts, ref, "uid-1", 3, true, time.Unix(0, 0))
	}
	setEnv := report.JSONPatchAction(sts, controller, []map[string]any{
		{"op": "test", "path": "/spec/replicas", "value": 2},
		{"op": "replace", "path": "/spec/template/spec/containers/0/env/0/value", "value": "2"},
	})
	scale := report.JSONPatchAction(sts, controller, []map[string]any{{"op": "replace", "path": "/spec/replicas", "value": 2}})
	for _, tt := range []struct {
		name    string
		earlier []JournalEntry
		act     report.Action
		want    string
	}{
		{name: "a template change applied earlier restarts the pods",
			earlier: []JournalEntry{{Step: "1. set-controller-replicas", Action: setEnv, Status: Applied}},
			act:     restart(controller), want: "1. set-controller-replicas"},
		{name: "a template change that conflicted restarts nothing",
			earlier: []JournalEntry{{Step: "1. set-controller-replicas", Action: setEnv, Status: Conflict}},
			act:     restart(controller)},
		{name: "another workload's change does not count",
			earlier: []JournalEntry{{Step: "1. set-controller-replicas", Action: setEnv, Status: Applied}},
			act:     restart(server)},
		{name: "a change outside the pod template restarts nothing",
			earlier: []JournalEntry{{Step: "1. scale", Action: scale, Status: Applied}},
			act:     restart(controller)},
		{name: "only restarts are left out",
			earlier: []JournalEntry{{Step: "1. set-controller-replicas", Action: setEnv, Status: Applied}},
			act:     scale},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := templateChangedBefore(tt.earlier, tt.act); got != tt.want {
				t.Errorf("templateChangedBefore = %q, want %q", got, tt.want)
			}
		})
	}
}
