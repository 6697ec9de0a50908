package diagnose

import (
	"testing"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckAppUnwatched(t *testing.T) {
	inTeam := func(a *argocd.Application) { a.Namespace = "team-a" }
	watching := func(patterns ...string) func(*snapshot.Snapshot) *snapshot.Snapshot {
		return func(s *snapshot.Snapshot) *snapshot.Snapshot {
			s.Settings.ApplicationNamespaces = patterns
			return s
		}
	}
	runCheckCases(t, "app-unwatched", []checkCase{
		{
			name:     "an app in the control namespace is watched",
			snapshot: testSnapshot(testApp("web")),
			want:     []string{},
		},
		{
			name:     "an app elsewhere with application.namespaces unset is not",
			snapshot: testSnapshot(testApp("web", inTeam)),
			want:     []string{"app-unwatched web"},
			wantText: []string{"namespace team-a", "application.namespaces in argocd-cmd-params-cm: unset", "status.reconciledAt is not set", "add team-a to application.namespaces"},
		},
		{
			name:     "a glob that matches watches it",
			snapshot: watching("team-*")(testSnapshot(testApp("web", inTeam))),
			want:     []string{},
		},
		{
			name:     "a glob that does not match is named",
			snapshot: watching("prod-*", "/^ops-.*$/")(testSnapshot(testApp("web", inTeam))),
			want:     []string{"app-unwatched web"},
			wantText: []string{"prod-*, /^ops-.*$/; none matches team-a"},
		},
		{
			name: "argocd-cmd-params-cm not read: no claim",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("web", inTeam))
				s.Read[snapshot.CmdParams] = false
				return s
			}(),
			want: []string{},
		},
		{
			name: "other installations could not be looked for: no claim",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("web", inTeam))
				s.Read[snapshot.OtherInstallations] = false
				return s
			}(),
			want: []string{},
		},
		{
			name: "the other installations found are named",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("web", inTeam))
				s.Installations = []string{"argocd", "team-b", "platform"}
				return s
			}(),
			want:     []string{"app-unwatched web"},
			wantText: []string{"(team-b, platform) do not watch team-a either"},
		},
	})
}
