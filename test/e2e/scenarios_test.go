package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/argofix/kubectl-argofix/test/scenario"
)

// TestScenarios applies every folder of test/scenarios and checks the
// plugin's JSON report against its scenario.yaml.
func TestScenarios(t *testing.T) {
	needPlugin(t)
	all, err := scenario.LoadAll(suite.scenariosDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatalf("no scenarios in %s", suite.scenariosDir())
	}
	for _, sc := range all {
		t.Run(sc.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := suite.applyScenario(ctx, sc.Name); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", sc.Namespace(), "diagnose"}, sc.Diagnose...)
			args = append(args, "-n", sc.Namespace(), "-o", "json")
			res := runPlugin(t, args...)
			if sc.ExitCode != nil && res.code != *sc.ExitCode {
				t.Errorf("exit status %d, want %d", res.code, *sc.ExitCode)
			}
			if res.code != 0 && res.code != 1 {
				t.Fatalf("diagnose failed (exit %d)\n%s", res.code, res)
			}
			rep, err := decodeReport(res.stdout)
			if err != nil {
				t.Fatalf("%v\n%s", err, res)
			}
			ids := rep.ids()
			for _, id := range sc.Expect {
				if !ids[id] {
					t.Errorf("finding %s not reported", id)
				}
			}
			for _, id := range sc.Forbid {
				if ids[id] {
					t.Errorf("finding %s reported but forbidden", id)
				}
			}
			if t.Failed() {
				t.Logf("scenario: %s\n%s", sc.Description, res)
			}
		})
	}
}
