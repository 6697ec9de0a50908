package diagnose

import (
	"time"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// Snapshot is everything the checks may look at, read in one pass. Checks
// never call the API: what they need, the collector gathers once per kind.
type Snapshot struct {
	// Now and StuckAfter are the clock and threshold the checks judge age by.
	Now        time.Time
	StuckAfter time.Duration

	// ArgoCDNamespace is the control namespace: projects, cluster Secrets and
	// argocd-cm live there.
	ArgoCDNamespace string
	Settings        argocd.Settings

	// Applications are the apps being diagnosed.
	Applications []argocd.Application
	// Projects are all AppProjects of the control namespace; ProjectsRead is
	// false when they could not be listed, and project checks stay silent.
	Projects     []argocd.AppProject
	ProjectsRead bool
	// Clusters are the registered cluster Secrets; ClustersRead is false
	// when Secrets could not be listed, and destination checks stay silent.
	Clusters     []argocd.Cluster
	ClustersRead bool
}

// Project returns the AppProject called name, if it exists.
func (s *Snapshot) Project(name string) (*argocd.AppProject, bool) {
	for i := range s.Projects {
		if s.Projects[i].Name == name {
			return &s.Projects[i], true
		}
	}
	return nil, false
}

// ProjectNames lists the names of the existing AppProjects.
func (s *Snapshot) ProjectNames() []string {
	names := make([]string, 0, len(s.Projects))
	for _, p := range s.Projects {
		names = append(names, p.Name)
	}
	return names
}

// appRef is the ObjectRef of an Application.
func appRef(app *argocd.Application) ObjectRef {
	return ObjectRef{Group: argocd.Group, Kind: "Application", Namespace: app.Namespace, Name: app.Name}
}
