package finalizers

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestRemovalPatch(t *testing.T) {
	tests := []struct {
		name          string
		current, keep []string
		want          string
	}{
		{"remove all, testing the list as diagnosed", []string{"kubernetes.io/pvc-protection"}, nil,
			`[{"op":"test","path":"/metadata/finalizers","value":["kubernetes.io/pvc-protection"]},{"op":"remove","path":"/metadata/finalizers"}]`},
		{"keep some", []string{"a/b", "c/d"}, []string{"a/b"},
			`[{"op":"test","path":"/metadata/finalizers","value":["a/b","c/d"]},{"op":"replace","path":"/metadata/finalizers","value":["a/b"]}]`},
		{"an empty list tests as [], never null", nil, nil,
			`[{"op":"test","path":"/metadata/finalizers","value":[]},{"op":"remove","path":"/metadata/finalizers"}]`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(RemovalPatch(tt.current, tt.keep))
		if err != nil || string(got) != tt.want {
			t.Errorf("%s:\ngot  %s (%v)\nwant %s", tt.name, got, err, tt.want)
		}
	}
}

func TestWithout(t *testing.T) {
	got := Without([]string{"a", "b", "c"}, []string{"b"})
	if !reflect.DeepEqual(got, []string{"a", "c"}) {
		t.Errorf("Without = %v", got)
	}
}

func TestFinalizerOwner(t *testing.T) {
	for f, want := range map[string]string{
		"kubernetes.io/pvc-protection":                      "pvc-protection",
		"foregroundDeletion":                                "garbage collector",
		"resources-finalizer.argocd.argoproj.io/foreground": "application-controller",
		"example.com/hold":                                  "controller of example.com",
		"weird":                                             "owner unknown",
	} {
		if got := Owner(f); !strings.Contains(got, want) {
			t.Errorf("Owner(%q) = %q, want it to mention %q", f, got, want)
		}
	}
}

func TestForeignFinalizers(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"Argo CD's own are not foreign", []string{"resources-finalizer.argocd.argoproj.io", "example.com/hold"}, []string{"example.com/hold"}},
		{"foregroundDeletion next to a real holder is not blamed", []string{"example.com/hold", "foregroundDeletion"}, []string{"example.com/hold"}},
		{"foregroundDeletion alone is the holder", []string{"foregroundDeletion"}, []string{"foregroundDeletion"}},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		if got := Foreign(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Foreign(%v) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}
