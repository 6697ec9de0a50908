package health

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// object reads a live object from YAML, numbers as int64 as the API's
// decoder gives them.
func object(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	data, err := yaml.YAMLToJSON([]byte(manifest))
	if err != nil {
		t.Fatalf("yaml: %v", err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return u
}

// ruleCase is one row of a rule's table test, run through Of.
type ruleCase struct {
	name     string
	manifest string
	status   Status
	message  string
	facts    []string
	noRule   bool // Of must say the kind has no built-in rule
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Of(object(t, tt.manifest))
			if ok == tt.noRule {
				t.Errorf("ok = %v, want %v", ok, !tt.noRule)
			}
			checkResult(t, got, tt.status, tt.message, tt.facts)
		})
	}
}

func checkResult(t *testing.T, got Result, status Status, message string, facts []string) {
	t.Helper()
	if got.Status != status || got.Message != message {
		t.Errorf("got %s %q, want %s %q", got.Status, got.Message, status, message)
	}
	if !slices.Equal(got.Facts, facts) {
		t.Errorf("facts = %q, want %q", got.Facts, facts)
	}
}

func TestOf(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "pending deletion wins over the kind's rule and keeps its facts",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, generation: 4, deletionTimestamp: "2026-11-25T09:50:00Z", finalizers: [example.com/hold]}
spec: {replicas: 2}
status: {observedGeneration: 3, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2}`,
			status:  Progressing,
			message: "pending deletion since 2026-11-25T09:50:00Z, finalizers [example.com/hold]",
			facts: []string{
				"pending deletion since 2026-11-25T09:50:00Z, finalizers [example.com/hold]",
				"status.observedGeneration 3 < metadata.generation 4",
			},
		},
		{
			name: "a kind without a rule has no health",
			manifest: `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}`,
			noRule: true,
		},
		{
			name: "a kind without a rule still shows a generation not observed",
			manifest: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, generation: 2}
status: {observedGeneration: 1}`,
			noRule: true,
			facts:  []string{"status.observedGeneration 1 < metadata.generation 2"},
		},
		{
			name: "a kind without a rule is Progressing while it is deleted",
			manifest: `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, deletionTimestamp: "2026-11-25T09:50:00Z"}`,
			status:  Progressing,
			message: "pending deletion since 2026-11-25T09:50:00Z, finalizers []",
			facts:   []string{"pending deletion since 2026-11-25T09:50:00Z, finalizers []"},
		},
	})
}

func TestOfUnreadableIsUnknown(t *testing.T) {
	got, ok := Of(object(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: many}`))
	if !ok || got.Status != Unknown || !strings.HasPrefix(got.Message, "cannot read the Deployment: ") || len(got.Facts) != 0 {
		t.Errorf("got %v %+v, want Unknown, cannot read the Deployment", ok, got)
	}
}

func TestOfNilIsMissing(t *testing.T) {
	got, ok := Of(nil)
	if !ok {
		t.Error("ok = false for a missing object")
	}
	checkResult(t, got, Missing, "does not exist", nil)
}

func TestHasRule(t *testing.T) {
	for gk, want := range map[schema.GroupKind]bool{
		{Group: "apps", Kind: "Deployment"}:           true,
		{Group: "networking.k8s.io", Kind: "Ingress"}: true,
		{Group: "", Kind: "Pod"}:                      true,
		{Group: "", Kind: "ConfigMap"}:                false,
		{Group: "argoproj.io", Kind: "Application"}:   false, // Argo CD needs a Lua customization for it
		{Group: "apps", Kind: "Ingress"}:              false,
	} {
		if got := HasRule(gk); got != want {
			t.Errorf("HasRule(%v) = %v, want %v", gk, got, want)
		}
	}
}
