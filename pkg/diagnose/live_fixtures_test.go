package diagnose

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// testObject builds a live object; apiVersion is "group/version" or "v1".
func testObject(apiVersion, kind, namespace, name string, mutate ...func(*unstructured.Unstructured)) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	for _, m := range mutate {
		m(u)
	}
	return u
}

// objDeleting marks an object as deleted d ago and held by finalizers.
func objDeleting(d time.Duration, finalizers ...string) func(*unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) {
		u.SetDeletionTimestamp(timeAgo(d))
		u.SetFinalizers(finalizers)
	}
}

// withLiveObjects records objects as live and their kinds as read.
func withLiveObjects(s *snapshot.Snapshot, objs ...*unstructured.Unstructured) *snapshot.Snapshot {
	for _, o := range objs {
		withResources(s, o.GroupVersionKind())
		if err := s.AddLive(o); err != nil {
			panic(err)
		}
	}
	if s.LiveKinds == nil {
		s.LiveKinds = map[schema.GroupKind]bool{}
	}
	return s
}

// withKindsRead records kinds as listed without any object of them.
func withKindsRead(s *snapshot.Snapshot, gks ...schema.GroupKind) *snapshot.Snapshot {
	if s.LiveKinds == nil {
		s.LiveKinds = map[schema.GroupKind]bool{}
	}
	for _, gk := range gks {
		s.LiveKinds[gk] = true
		withResources(s, gk.WithVersion("v1"))
	}
	return s
}

// withResources records the API resource of each kind as the collector
// does (plural, lower-case).
func withResources(s *snapshot.Snapshot, gvks ...schema.GroupVersionKind) *snapshot.Snapshot {
	if s.Resources == nil {
		s.Resources = map[schema.GroupKind]schema.GroupVersionResource{}
	}
	for _, gvk := range gvks {
		plural := strings.ToLower(gvk.Kind) + "s"
		if strings.HasSuffix(plural, "ss") {
			plural += "es"
		}
		s.Resources[gvk.GroupKind()] = gvk.GroupVersion().WithResource(plural)
	}
	return s
}

// resource is a status.resources entry.
func resource(group, kind, namespace, name string) argocd.ResourceStatus {
	return argocd.ResourceStatus{Group: group, Version: "v1", Kind: kind, Namespace: namespace, Name: name}
}

// findingText joins what a person reads of a finding, for Contains checks.
func findingText(f report.Finding) string {
	text := f.Summary + "\n" + joinLines(f.Evidence)
	for _, x := range f.Fixes {
		text += "\n" + x.ID + ": " + x.Description + "\n" + x.Command
	}
	return text
}

func joinLines(lines []string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}

func fixIDs(f report.Finding) []string {
	out := []string{}
	for _, x := range f.Fixes {
		out = append(out, x.ID)
	}
	return out
}

// checkCase is one row of a check's table test.
type checkCase struct {
	name      string
	snapshot  *snapshot.Snapshot
	want      []string // "id name" per finding
	wantText  []string // in the summary, evidence or fixes of any finding
	notText   []string
	wantFixes []string // fix ids of the first finding; nil skips the comparison
}

// runCheckCases runs a table of cases against one check and verifies the
// fields every finding must carry.
func runCheckCases(t *testing.T, id string, cases []checkCase) {
	t.Helper()
	severity := registered(t, id).Severity
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got := runRegistered(t, id, tt.snapshot)
			if !reflect.DeepEqual(ids(got), tt.want) {
				t.Fatalf("findings = %v, want %v", ids(got), tt.want)
			}
			text := ""
			for _, f := range got {
				if f.ID != id || f.Severity != severity || f.Docs != report.DocsURL(id) || f.Summary == "" || len(f.Evidence) == 0 {
					t.Errorf("finding fields: %+v", f)
				}
				text += findingText(f) + "\n"
			}
			for _, w := range tt.wantText {
				if !strings.Contains(text, w) {
					t.Errorf("findings lack %q:\n%s", w, text)
				}
			}
			for _, w := range tt.notText {
				if strings.Contains(text, w) {
					t.Errorf("findings should not contain %q:\n%s", w, text)
				}
			}
			if tt.wantFixes != nil && len(got) > 0 {
				if f := fixIDs(got[0]); !reflect.DeepEqual(f, tt.wantFixes) {
					t.Errorf("fixes = %v, want %v", f, tt.wantFixes)
				}
			}
		})
	}
}

// registered is the check of the table with this id.
func registered(t *testing.T, id string) Check {
	t.Helper()
	for _, c := range Checks() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %q is registered", id)
	return Check{}
}

// runRegistered runs one registered check as Run does: not at all when a
// source it needs was not read.
func runRegistered(t *testing.T, id string, s *snapshot.Snapshot) []report.Finding {
	t.Helper()
	findings, _ := Run(s, []Check{registered(t, id)})
	return findings
}
