package snapshot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// collectNamespaces reads the namespaces (all of them, or those of the
// selected apps) and, for each one stuck Terminating, what remains in it.
func collectNamespaces(ctx context.Context, c Clients, s *Snapshot, namespaces []string, all bool, rec *recorder) error {
	// Several namespaces cost one LIST rather than a GET each; a user who
	// may not list them gets them one by one.
	listed := false
	if all || len(namespaces) > 1 {
		list, err := listPaged[corev1.Namespace](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return c.Kube.CoreV1().Namespaces().List(ctx, opts)
		}, metav1.ListOptions{})
		switch {
		case apierrors.IsForbidden(err) && all:
			rec.failed(ReadProblem{Verb: "list", Resource: "namespaces", Error: err.Error(), Source: Namespaces})
			return nil
		case apierrors.IsForbidden(err):
		case err != nil:
			return fmt.Errorf("list namespaces: %w", err)
		case all:
			s.Namespaces, listed = list, true
		default:
			for _, ns := range list {
				if slices.Contains(namespaces, ns.Name) {
					s.Namespaces = append(s.Namespaces, ns)
				}
			}
			listed = true
		}
	}
	if !listed {
		if err := getNamespaces(ctx, c, s, namespaces, rec); err != nil {
			return err
		}
	}
	rec.done(Namespaces)
	var terminating []string
	for _, ns := range s.Namespaces {
		if ns.DeletionTimestamp != nil {
			terminating = append(terminating, ns.Name)
		}
	}
	if len(terminating) == 0 {
		return nil
	}
	return collectNamespaceContents(ctx, c, s, terminating, rec)
}

// getNamespaces reads the namespaces one by one; one that does not exist
// is left out.
func getNamespaces(ctx context.Context, c Clients, s *Snapshot, namespaces []string, rec *recorder) error {
	for _, name := range namespaces {
		ns, err := c.Kube.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			continue
		case apierrors.IsForbidden(err):
			rec.failed(ReadProblem{Verb: "get", Resource: "namespaces", Namespace: name, Error: err.Error(), Source: Namespaces})
			continue
		case err != nil:
			return fmt.Errorf("get namespace %q: %w", name, err)
		}
		s.Namespaces = append(s.Namespaces, *ns)
	}
	return nil
}

// CollectNamespace reads one namespace for `diagnose namespace NAME`.
func CollectNamespace(ctx context.Context, c Clients, name string, opts CollectOptions) (*Snapshot, error) {
	ns, err := c.Kube.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, &NamespaceNotFoundError{Name: name}
	}
	if err != nil {
		return nil, fmt.Errorf("get namespace %q: %w", name, err)
	}
	s := opts.newSnapshot()
	s.Namespaces = []corev1.Namespace{*ns}
	s.Named = true
	rec := newRecorder()
	rec.done(Namespaces)
	defer rec.fill(s)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return collectInstallation(gctx, c, s, rec) })
	g.Go(func() error { return collectEveryApplication(gctx, c, s, rec) })
	if ns.DeletionTimestamp != nil {
		g.Go(func() error { return collectNamespaceContents(gctx, c, s, []string{name}, rec) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return s, nil
}

// collectEveryApplication lists every Application of the cluster, to say
// which one manages each object left in a namespace.
func collectEveryApplication(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	apps, err := listApplications(ctx, c, metav1.NamespaceAll, rec)
	switch {
	case apierrors.IsForbidden(err):
		rec.failed(ReadProblem{Verb: "list", Resource: "applications.argoproj.io", Error: err.Error(), Source: AllApplications})
	case apierrors.IsNotFound(err):
		rec.done(AllApplications) // Argo CD's CRDs are gone: no app manages anything
	case err != nil:
		return fmt.Errorf("list Applications in all namespaces: %w", err)
	default:
		rec.done(AllApplications)
		s.AllApplications = apps
	}
	return nil
}

// NamespaceNotFoundError says a namespace the user named does not exist.
type NamespaceNotFoundError struct{ Name string }

func (e *NamespaceNotFoundError) Error() string {
	return fmt.Sprintf("namespace %q not found; list them with: kubectl get namespaces", e.Name)
}

// skippedContent are kinds that never hold a namespace open.
var skippedContent = []schema.GroupResource{{Resource: "events"}, {Group: "events.k8s.io", Resource: "events"}}

// collectNamespaceContents lists every namespaced, listable kind in each
// terminating namespace. A group whose discovery fails is recorded: it
// is itself why the namespace controller cannot finish.
func collectNamespaceContents(ctx context.Context, c Clients, s *Snapshot, namespaces []string, rec *recorder) error {
	if c.Discovery == nil {
		return nil
	}
	rec.done(NamespaceContents)
	resources, err := listableNamespacedResources(c, s)
	if err != nil {
		return err
	}
	s.NamespaceContents = map[string][]unstructured.Unstructured{}
	s.NamespaceUnread = map[string][]string{}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for _, ns := range namespaces {
		for _, gvr := range resources {
			g.Go(func() error {
				items, err := listAll(ctx, c.Dynamic.Resource(gvr).Namespace(ns), metav1.ListOptions{})
				if apierrors.IsNotFound(err) {
					return nil // the kind went away since discovery: nothing of it remains
				}
				if apierrors.IsForbidden(err) || apierrors.IsMethodNotSupported(err) {
					rec.failed(ReadProblem{Verb: "list", Resource: gvr.GroupResource().String(), Namespace: ns, Error: err.Error(), Source: NamespaceContents})
					mu.Lock()
					defer mu.Unlock()
					s.NamespaceUnread[ns] = append(s.NamespaceUnread[ns], gvr.GroupResource().String())
					return nil
				}
				if err != nil {
					return fmt.Errorf("list %s in namespace %q: %w", gvr.GroupResource(), ns, err)
				}
				if len(items) > 0 {
					rec.resource(gvr, schema.GroupKind{Group: gvr.Group, Kind: items[0].GetKind()})
				}
				mu.Lock()
				defer mu.Unlock()
				s.NamespaceContents[ns] = append(s.NamespaceContents[ns], items...)
				return nil
			})
		}
	}
	return g.Wait()
}

// listableNamespacedResources discovers every namespaced resource that
// can be listed (but those skippedContent names); the API groups whose
// discovery failed go to s.DiscoveryFailures: the namespace controller
// cannot finish a namespace while one exists.
func listableNamespacedResources(c Clients, s *Snapshot) ([]schema.GroupVersionResource, error) {
	lists, err := c.Discovery.ServerPreferredNamespacedResources()
	var groupErr *discovery.ErrGroupDiscoveryFailed
	switch {
	case errors.As(err, &groupErr):
		for gv, e := range groupErr.Groups {
			s.DiscoveryFailures = append(s.DiscoveryFailures, DiscoveryFailure{GroupVersion: gv.String(), Error: e.Error()})
		}
	case err != nil:
		return nil, fmt.Errorf("discover namespaced resources: %w", err)
	}
	var resources []schema.GroupVersionResource
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range list.APIResources {
			gvr := gv.WithResource(r.Name)
			if slices.Contains(r.Verbs, "list") && !slices.Contains(skippedContent, gvr.GroupResource()) {
				resources = append(resources, gvr)
			}
		}
	}
	return resources, nil
}
