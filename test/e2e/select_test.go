package e2e

import (
	"testing"
)

// TestDiagnoseAppsSelection: --project and -l narrow `diagnose apps`, and a
// malformed selector is bad input.
func TestDiagnoseAppsSelection(t *testing.T) {
	_, sc := appliedScenario(t, "project-missing")
	ns := sc.Namespace()
	apps := func(extra ...string) (result, *report) {
		t.Helper()
		args := append([]string{"--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", ns, "diagnose", "apps", "-n", ns, "-o", "json"}, extra...)
		res := runPlugin(t, args...)
		if res.code > 1 {
			return res, nil
		}
		rep, err := decodeReport(res.stdout)
		if err != nil {
			t.Fatalf("%v\n%s", err, res)
		}
		return res, rep
	}
	for _, tt := range []struct {
		name  string
		flags []string
		want  bool
	}{
		{"every app", nil, true},
		{"its project", []string{"--project", "payments"}, true},
		{"another project", []string{"--project", "default"}, false},
		{"a selector nothing matches", []string{"-l", "team=nobody"}, false},
	} {
		res, rep := apps(tt.flags...)
		if rep == nil {
			t.Fatalf("%s: exit %d\n%s", tt.name, res.code, res)
		}
		if got := rep.ids()["project-missing"]; got != tt.want {
			t.Errorf("%s: project-missing reported %v, want %v\n%s", tt.name, got, tt.want, res)
		}
	}
	res, _ := apps("-l", "team in (")
	wantExit(t, res, 2, "invalid label selector")
}
