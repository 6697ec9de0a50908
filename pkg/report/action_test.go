package report

import (
	"testing"
)

func TestActionKubectl(t *testing.T) {
	zero := int64(0)
	tests := []struct {
		name string
		a    Action
		want string
	}{
		{"json patch of a namespaced custom resource",
			Action{Verb: VerbPatch, Group: "argoproj.io", Version: "v1alpha1", Resource: "applications", Namespace: "argocd", Name: "web",
				PatchType: PatchJSON, Body: JSONBody([]map[string]any{{"op": "remove", "path": "/metadata/finalizers"}})},
			`kubectl -n argocd patch applications.argoproj.io web --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'`},
		{"merge patch of a core cluster-scoped object",
			Action{Verb: VerbPatch, Version: "v1", Resource: "namespaces", Name: "shop", PatchType: PatchMerge, Body: JSONBody(map[string]any{"a": 1})},
			`kubectl patch namespaces shop --type merge -p '{"a":1}'`},
		{"forced delete of a pod",
			Action{Verb: VerbDelete, Version: "v1", Resource: "pods", Namespace: "shop", Name: "db-0", GracePeriodSeconds: &zero},
			`kubectl -n shop delete pods db-0 --grace-period=0 --force`},
		{"update of a subresource through the raw path",
			Action{Verb: VerbUpdate, Version: "v1", Resource: "namespaces", Name: "shop", Subresource: "finalize", Body: JSONBody(map[string]any{"kind": "Namespace"})},
			"kubectl replace --raw /api/v1/namespaces/shop/finalize -f - <<'EOF'\n{\"kind\":\"Namespace\"}\nEOF"},
		{"create renders the body as YAML",
			Action{Verb: VerbCreate, Group: "argoproj.io", Version: "v1alpha1", Resource: "appprojects", Namespace: "argocd", Name: "p",
				Body: JSONBody(map[string]any{"kind": "AppProject", "metadata": map[string]string{"name": "p"}})},
			"kubectl create -f - <<'EOF'\nkind: AppProject\nmetadata:\n  name: p\nEOF"},
	}
	for _, tt := range tests {
		if got := tt.a.Kubectl(); got != tt.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestNewFixRendersItsActions(t *testing.T) {
	a := Action{Verb: VerbDelete, Version: "v1", Resource: "pods", Namespace: "shop", Name: "a"}
	b := a
	b.Name = "b"
	f := NewFix("force-delete-pods", "medium", "delete them", a, b)
	if f.Command != "kubectl -n shop delete pods a\nkubectl -n shop delete pods b" || f.Manifest != "" || len(f.Actions) != 2 {
		t.Errorf("NewFix = %+v", f)
	}
}
