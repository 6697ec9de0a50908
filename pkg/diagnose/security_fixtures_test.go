package diagnose

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// securityCase is one state of the installation's ConfigMaps and what a
// security check must find.
type securityCase struct {
	name     string
	cm       map[string]string // argocd-cm
	rbac     map[string]string // argocd-rbac-cm
	params   map[string]string // argocd-cmd-params-cm
	want     []string
	severity string
	evidence string // a substring one evidence line must hold
	mutate   func(*snapshot.Snapshot)
}

func runSecurityCases(t *testing.T, id string, cases []securityCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			s := installSnapshot(func(s *snapshot.Snapshot) {
				s.Install.ConfigMaps["argocd-cm"].Data = tt.cm
				s.Install.ConfigMaps["argocd-rbac-cm"].Data = tt.rbac
				s.Install.ConfigMaps["argocd-cmd-params-cm"].Data = tt.params
				if tt.mutate != nil {
					tt.mutate(s)
				}
			})
			got := runCheck(t, id, s)
			wantObjects(t, got, tt.want...)
			if len(got) == 1 && tt.severity != "" && string(got[0].Severity) != tt.severity {
				t.Errorf("severity %s, want %s", got[0].Severity, tt.severity)
			}
			if tt.evidence != "" && (len(got) == 0 || !strings.Contains(strings.Join(got[0].Evidence, "\n"), tt.evidence)) {
				t.Errorf("no evidence line holds %q: %+v", tt.evidence, got)
			}
		})
	}
}

// testJWT is an unsigned token with these claims (only claims are read).
func testJWT(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".sig"
}
