package diagnose

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckComparisonError(t *testing.T) {
	cond := func(msg string) func(*argocd.Application) {
		return func(a *argocd.Application) {
			a.Status.Conditions = []argocd.ApplicationCondition{{Type: "ComparisonError", Message: msg, LastTransitionTime: timeAgo(4 * time.Minute)}}
		}
	}
	withRepoServer := func(s *snapshot.Snapshot) *snapshot.Snapshot {
		s.RepoServer = &snapshot.RepoServer{
			Params:    map[string]string{"controller.repo.server.timeout.seconds": "180"},
			Workloads: []snapshot.RepoServerWorkload{{Name: "argocd-repo-server", Replicas: 1, Env: map[string]string{"ARGOCD_EXEC_TIMEOUT": "3m"}}},
		}
		s.Read[snapshot.RepoServerSettings] = true
		return s
	}
	withCreds := func(s *snapshot.Snapshot) *snapshot.Snapshot {
		s.RepoCredentials = []snapshot.RepoCredential{
			{Name: "team-creds", Type: "repo-creds", URL: "https://git.example.com", Keys: []string{"username", "password"}},
			{Name: "other", Type: "repository", URL: "https://other.example.com/x.git"},
		}
		s.Read[snapshot.RepoCredentials] = true
		return s
	}
	runCheckCases(t, "comparison-error", []checkCase{
		{
			name:      "path missing",
			snapshot:  testSnapshot(testApp("shop", cond("Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = shop: app path does not exist"))),
			want:      []string{"comparison-error shop"},
			wantText:  []string{"the source path does not exist", `path "shop"`, "condition ComparisonError since 2026-11-25T09:56:00Z"},
			wantFixes: []string{"refresh"},
		},
		{
			name: "timeout names the settings with their values",
			snapshot: withRepoServer(testSnapshot(testApp("shop",
				cond("Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = DeadlineExceeded desc = context deadline exceeded")))),
			want: []string{"comparison-error shop"},
			wantText: []string{"manifest generation timed out", "controller.repo.server.timeout.seconds=180",
				"server.repo.server.timeout.seconds unset (default 60)", "ARGOCD_EXEC_TIMEOUT=3m", "ARGOCD_PAUSE_GEN_MINUTES unset (default 60)", "1 replicas"},
			wantFixes: []string{"refresh"},
		},
		{
			name:     "cached failure",
			snapshot: withRepoServer(testSnapshot(testApp("shop", cond("Failed to load target state: Manifest generation error (cached): `helm template` failed timeout after 1m30s")))),
			want:     []string{"comparison-error shop"},
			wantText: []string{"cached failure", `"argocd.argoproj.io/refresh":"hard"`},
		},
		{
			name: "authentication names the matching Secret, not its values",
			snapshot: withCreds(testSnapshot(testApp("shop", func(a *argocd.Application) { a.Spec.Source.RepoURL = "https://git.example.com/team/apps.git" },
				cond("Failed to load target state: rpc error: code = Unknown desc = failed to list refs: authentication required")))),
			want:     []string{"comparison-error shop"},
			wantText: []string{"refused the repo-server's credentials", "Secret argocd/team-creds (repo-creds, url https://git.example.com, sets username, password)"},
			notText:  []string{"other"},
		},
		{
			name: "a failed sync for a kind without CRD",
			snapshot: testSnapshot(testApp("shop", func(a *argocd.Application) {
				a.Status.OperationState = &argocd.OperationState{Phase: argocd.PhaseFailed, Message: "one or more synchronization tasks are not valid",
					StartedAt: metav1.NewTime(testNow.Add(-time.Hour)), FinishedAt: timeAgo(time.Hour),
					SyncResult: &argocd.SyncResult{Resources: []argocd.ResourceResult{{Group: "example.com", Kind: "Widget", Namespace: "shop", Name: "w", Status: "SyncFailed",
						Message: `The Kubernetes API could not find example.com/Widget for requested resource shop/w. Make sure the "Widget" CRD is installed on the destination cluster.`}}}}
			})),
			want:     []string{"comparison-error shop"},
			wantText: []string{"the cluster has no CRD for Widget.example.com", "SkipDryRunOnMissingResource=true", "syncResult Widget.example.com shop/w: status SyncFailed"},
		},
		{
			name:     "no condition, sync Succeeded: silent",
			snapshot: testSnapshot(testApp("shop")),
			want:     []string{},
		},
	})
}

func TestComparisonCause(t *testing.T) {
	for msg, want := range map[string]string{
		"rpc error: code = Unknown desc = `helm template . --name-template x` failed exit status 1: Error: parse error": argocd.CauseGeneration,
		"Manifest generation error (cached): boom":         argocd.CauseCached,
		"failed to list refs: repository not found":        argocd.CauseAuth,
		"the server could not find the requested resource": argocd.CauseCRDMissing,
		"something else entirely":                          argocd.CauseOther,
	} {
		if got := argocd.ComparisonCause(msg); got != want {
			t.Errorf("ComparisonCause(%q) = %s, want %s", msg, got, want)
		}
	}
}
