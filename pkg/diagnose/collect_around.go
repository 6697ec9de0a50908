package diagnose

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"
)

// readConcurrency bounds the LISTs in flight, kind to the API server.
const readConcurrency = 8

// problemLog collects ReadProblems from concurrent readers.
type problemLog struct {
	mu       sync.Mutex
	problems []ReadProblem
}

func (l *problemLog) add(p ReadProblem) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.problems = append(l.problems, p)
}

// collectAround reads, concurrently, everything around the selected apps:
// the installation's settings, projects and clusters, the live objects the
// apps manage, namespaces, pods and the Argo CD CRDs. Each reader fills its
// own Snapshot fields.
func collectAround(ctx context.Context, c Clients, s *Snapshot, allNamespaces bool) ([]ReadProblem, error) {
	log := &problemLog{}
	namespaces := namespacesOfApps(s.Applications)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	g.Go(func() error { return collectInstallation(ctx, c, s, log) })
	g.Go(func() error { return collectLive(ctx, c, s, log) })
	g.Go(func() error { return collectNamespaces(ctx, c, s, namespaces, allNamespaces, log) })
	g.Go(func() error { return collectPods(ctx, c, s, namespaces, allNamespaces, log) })
	g.Go(func() error { return collectController(ctx, c, s, log) })
	g.Go(func() error { return collectCRDs(ctx, c, s, log) })
	err := g.Wait()
	return log.problems, err
}
