package snapshot

import (
	"context"
	"errors"
	"maps"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// installationSources are the sources that belong to one installation:
// its settings, projects, clusters, controller and workloads, and what is
// read through its repo-server and argocd-server. Another installation's
// view must not inherit them from the first.
var installationSources = []Source{
	Settings, CmdParams, Projects, Clusters, Controller,
	InstallWorkloads, InstallPods, InstallConfig,
	RepoServerSettings, RepoCredentials, AppSets, ArgoCDServer, ControllerWorkloads,
}

// collectOtherInstallations reads, for every installation but the first,
// what its apps are judged against: a constant number of requests per
// installation, none per Application. whole adds the installation itself,
// for the install and security audits of `diagnose`.
func collectOtherInstallations(ctx context.Context, c Clients, s *Snapshot, whole bool) error {
	var namespaces []string
	for _, ns := range s.Installations {
		if ns != s.ArgoCDNamespace {
			namespaces = append(namespaces, ns)
		}
	}
	others := make([]*Snapshot, len(namespaces))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for i, ns := range namespaces {
		g.Go(func() error {
			other := &Snapshot{Now: s.Now, StuckAfter: s.StuckAfter, ArgoCDNamespace: ns, Read: map[Source]bool{}}
			if err := collectInstallationOf(ctx, c, other, whole); err != nil {
				return err
			}
			others[i] = other
			return nil
		})
	}
	err := g.Wait()
	s.OtherInstallations = others
	return err
}

// collectInstallationOf reads one other installation. A malformed
// argocd-cm there is a read problem of that installation, not the end of
// a diagnosis of the whole cluster: its apps are then judged without
// the checks that need its settings, and the report says so.
func collectInstallationOf(ctx context.Context, c Clients, s *Snapshot, whole bool) error {
	rec := newRecorder()
	var configErr *argocd.ConfigError
	if err := collectSettings(ctx, c, s, rec); errors.As(err, &configErr) {
		rec.failed(ReadProblem{Verb: "decode", Resource: "configmaps", Namespace: s.ArgoCDNamespace, Error: err.Error(), Source: Settings})
		rec.forget(Settings)
	} else if err != nil {
		return err
	}
	readers := []func(context.Context, Clients, *Snapshot, *recorder) error{collectCmdParams, collectProjects, collectClusters, collectController}
	if whole {
		// The server version is the cluster's: the first installation read it.
		withoutDiscovery := c
		withoutDiscovery.Discovery = nil
		readers = append(readers, func(ctx context.Context, _ Clients, s *Snapshot, rec *recorder) error {
			return collectInstall(ctx, withoutDiscovery, s, rec)
		})
	}
	for _, read := range readers {
		if err := read(ctx, c, s, rec); err != nil {
			return err
		}
	}
	rec.fill(s)
	return nil
}

// Views splits a Snapshot of several installations into one Snapshot per
// installation, each holding the apps that installation watches
// (argocd.WatchingInstallation) and its own settings, projects, clusters,
// controller and workloads; everything else (live objects, namespaces,
// pods, every Application) is shared. An app no installation watches
// stays with the first, which reports it unwatched. With one installation
// the view is the Snapshot itself.
func (s *Snapshot) Views() []*Snapshot {
	if len(s.OtherInstallations) == 0 {
		return []*Snapshot{s}
	}
	all := append([]*Snapshot{s}, s.OtherInstallations...)
	installations := make([]argocd.Installation, len(all))
	for i, in := range all {
		installations[i] = argocd.Installation{Namespace: in.ArgoCDNamespace, Settings: in.Settings}
	}
	apps := make([][]argocd.Application, len(all))
	for _, app := range s.Applications {
		i, ok := argocd.WatchingInstallation(app.Namespace, installations)
		if !ok {
			i = 0
		}
		apps[i] = append(apps[i], app)
	}
	views := make([]*Snapshot, len(all))
	for i, in := range all {
		view := *s
		view.OtherInstallations = nil
		if i > 0 {
			view.judgeBy(in)
		}
		view.Applications = apps[i]
		views[i] = &view
	}
	return views
}

// judgeBy replaces, in a copy of the first installation's Snapshot, what
// belongs to the installation other. Its problems are its own: those of
// the shared reads are reported once, by the first view.
func (s *Snapshot) judgeBy(other *Snapshot) {
	s.ArgoCDNamespace, s.ArgoCDNamespaceGuessed = other.ArgoCDNamespace, false
	s.Settings, s.Projects, s.Clusters, s.ControllerPods = other.Settings, other.Projects, other.Clusters, other.ControllerPods
	serverVersion := s.Install.ServerVersion
	s.Install = other.Install
	s.Install.ServerVersion = serverVersion
	s.RepoServer, s.RepoCredentials, s.AppSets, s.ArgoCDServer = nil, nil, nil, nil
	s.Read = maps.Clone(s.Read)
	for _, src := range installationSources {
		delete(s.Read, src)
	}
	maps.Copy(s.Read, other.Read)
	s.Problems = slices.Clone(other.Problems)
}

// forget takes back a source marked read whose data turned out unusable.
func (r *recorder) forget(src Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.read, src)
}
