package diagnose

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPatchFinalizersCommand(t *testing.T) {
	got := patchFinalizersCommand("persistentvolumeclaim", "db", "data", []string{"kubernetes.io/pvc-protection"}, nil)
	want := `kubectl -n db patch persistentvolumeclaim data --type json -p '[{"op":"test","path":"/metadata/finalizers","value":["kubernetes.io/pvc-protection"]},{"op":"remove","path":"/metadata/finalizers"}]'`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = patchFinalizersCommand("namespace", "", "x", []string{"a/b", "c/d"}, []string{"a/b"})
	if !strings.HasPrefix(got, "kubectl patch namespace x ") || !strings.Contains(got, `{"op":"replace","path":"/metadata/finalizers","value":["a/b"]}`) {
		t.Errorf("cluster-scoped keep-some patch: %s", got)
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
		if got := finalizerOwner(f); !strings.Contains(got, want) {
			t.Errorf("finalizerOwner(%q) = %q, want it to mention %q", f, got, want)
		}
	}
}

func TestFormatAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		45 * time.Second: "45s", 7 * time.Minute: "7m", 3*time.Hour + 12*time.Minute: "3h12m",
		2 * time.Hour: "2h", 52 * time.Hour: "2d4h", -time.Second: "0s",
	} {
		if got := formatAge(d); got != want {
			t.Errorf("formatAge(%s) = %s, want %s", d, got, want)
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
		if got := foreignFinalizers(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: foreignFinalizers(%v) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}
