package diagnose

import (
	"fmt"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkAppUnwatched reports Applications in a namespace that no
// application-controller reconciles: outside the control namespace and not
// matched by application.namespaces (argocd-cmd-params-cm). Argo CD writes
// no status for them, never syncs them and never finishes their deletion,
// so nothing on the app itself says why.
func checkAppUnwatched(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		if s.Settings.ReconcilesNamespace(s.ArgoCDNamespace, app.Namespace) {
			continue
		}
		findings = append(findings, appUnwatchedFinding(s, app))
	}
	return findings
}

func appUnwatchedFinding(s *snapshot.Snapshot, app *argocd.Application) report.Finding {
	f := report.Finding{
		ID:     "app-unwatched",
		Object: appRef(app),
		Summary: fmt.Sprintf("no application-controller watches Applications in namespace %s: Argo CD will never reconcile, sync or delete this app",
			app.Namespace),
	}
	patterns := "unset (only the control namespace is watched)"
	if len(s.Settings.ApplicationNamespaces) > 0 {
		patterns = strings.Join(s.Settings.ApplicationNamespaces, ", ")
	}
	f.Evidence = append(f.Evidence,
		fmt.Sprintf("the Argo CD in namespace %s watches its own namespace and application.namespaces in argocd-cmd-params-cm: %s; none matches %s",
			s.ArgoCDNamespace, patterns, app.Namespace))
	if others := otherInstallations(s); len(others) > 0 {
		f.Evidence = append(f.Evidence, fmt.Sprintf("the other Argo CD installations of the cluster (%s) do not watch %s either",
			strings.Join(others, ", "), app.Namespace))
	}
	if app.Status.ReconciledAt == nil {
		f.Evidence = append(f.Evidence, "status.reconciledAt is not set: no controller has ever reconciled the app")
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf(
		"to have it watched: add %s to application.namespaces in %s/argocd-cmd-params-cm and restart the application-controller and argocd-server (they read it at start), and list it in the AppProject's spec.sourceNamespaces",
		app.Namespace, s.ArgoCDNamespace))
	return f
}

// otherInstallations are the installations found besides the one the app
// was judged against.
func otherInstallations(s *snapshot.Snapshot) []string {
	var others []string
	for _, ns := range s.Installations {
		if ns != s.ArgoCDNamespace {
			others = append(others, ns)
		}
	}
	return others
}
