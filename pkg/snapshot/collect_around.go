package snapshot

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// readConcurrency bounds the LISTs in flight, kind to the API server.
const readConcurrency = 8

// collectAround reads, concurrently, everything around the selected apps:
// the installation's settings, projects and clusters, the live objects the
// apps manage, namespaces, pods and the Argo CD CRDs. Each reader fills its
// own Snapshot fields; rec gathers what was read and what failed.
func collectAround(ctx context.Context, c Clients, s *Snapshot, allNamespaces bool, rec *recorder) error {
	namespaces, contents := namespacesOfApps(s.Applications), namespacesOfContents(s.Applications)
	configMaps := newSharedConfigMaps(c, s.Applications, contents, allNamespaces)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	g.Go(func() error { return collectInstallation(ctx, c, s, rec) })
	g.Go(func() error { return collectLive(ctx, c, s, configMaps, rec) })
	g.Go(func() error { return collectNamespaces(ctx, c, s, namespaces, allNamespaces, rec) })
	g.Go(func() error { return collectPods(ctx, c, s, contents, allNamespaces, rec) })
	g.Go(func() error { return collectController(ctx, c, s, rec) })
	g.Go(func() error {
		// The ApplicationSet CRD's deletion, read by collectCRDs, decides
		// whether every ApplicationSet is listed.
		if err := collectCRDs(ctx, c, s, rec); err != nil {
			return err
		}
		return collectTerminatingAppSets(ctx, c, s, rec)
	})
	g.Go(func() error { return collectComparison(ctx, c, s, rec) })
	g.Go(func() error { return collectHooks(ctx, c, s, rec) })
	g.Go(func() error { return collectEvents(ctx, c, s, contents, allNamespaces, rec) })
	g.Go(func() error { return collectConfigObjects(ctx, c, s, contents, allNamespaces, configMaps, rec) })
	g.Go(func() error { return collectIngressClasses(ctx, c, s, rec) })
	err := g.Wait()
	rec.fill(s)
	return err
}
