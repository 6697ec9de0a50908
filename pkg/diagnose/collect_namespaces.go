package diagnose

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
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// collectNamespaces reads the namespaces (all of them, or those of the
// selected apps) and, for each one stuck Terminating, what remains in it.
func collectNamespaces(ctx context.Context, c Clients, s *Snapshot, namespaces []string, all bool, log *problemLog) error {
	if all {
		list, err := c.Kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if apierrors.IsForbidden(err) {
			log.add(ReadProblem{Verb: "list", Resource: "namespaces", Error: err.Error(), Skipped: []string{"namespace-terminating"}})
			return nil
		}
		if err != nil {
			return fmt.Errorf("list namespaces: %w", err)
		}
		s.Namespaces = list.Items
	} else {
		for _, name := range namespaces {
			ns, err := c.Kube.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				continue
			case apierrors.IsForbidden(err):
				log.add(ReadProblem{Verb: "get", Resource: "namespaces", Namespace: name, Error: err.Error(), Skipped: []string{"namespace-terminating"}})
				continue
			case err != nil:
				return fmt.Errorf("get namespace %q: %w", name, err)
			}
			s.Namespaces = append(s.Namespaces, *ns)
		}
	}
	s.NamespacesRead = true
	var terminating []string
	for _, ns := range s.Namespaces {
		if ns.DeletionTimestamp != nil {
			terminating = append(terminating, ns.Name)
		}
	}
	if len(terminating) == 0 {
		return nil
	}
	return collectNamespaceContents(ctx, c, s, terminating, log)
}

// CollectNamespace reads one namespace for `diagnose namespace NAME`.
func CollectNamespace(ctx context.Context, c Clients, name string, opts CollectOptions) (*Snapshot, []ReadProblem, error) {
	ns, err := c.Kube.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil, &NamespaceNotFoundError{Name: name}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get namespace %q: %w", name, err)
	}
	s := &Snapshot{Now: opts.Now, StuckAfter: opts.StuckAfter, ArgoCDNamespace: opts.ArgoCDNamespace, argoCDNamespaceGuessed: opts.ArgoCDNamespaceGuessed,
		Namespaces: []corev1.Namespace{*ns}, NamespacesRead: true}
	log := &problemLog{}
	if err := collectInstallation(ctx, c, s, log); err != nil {
		return nil, nil, err
	}
	// Every app, to say which one manages each object left in the namespace.
	list, err := listAll(ctx, c.Dynamic.Resource(argocd.ApplicationsResource), metav1.ListOptions{})
	switch {
	case apierrors.IsForbidden(err):
		log.add(ReadProblem{Verb: "list", Resource: "applications.argoproj.io", Error: err.Error(),
			Skipped: []string{"namespace-terminating (which Application manages each object)"}})
	case err != nil && !apierrors.IsNotFound(err):
		return nil, nil, fmt.Errorf("list Applications in all namespaces: %w", err)
	default:
		s.AllApplications = decodeApplications(list, log)
	}
	if ns.DeletionTimestamp != nil {
		if err := collectNamespaceContents(ctx, c, s, []string{name}, log); err != nil {
			return nil, nil, err
		}
	}
	return s, log.problems, nil
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
func collectNamespaceContents(ctx context.Context, c Clients, s *Snapshot, namespaces []string, log *problemLog) error {
	if c.Discovery == nil {
		return nil
	}
	lists, err := c.Discovery.ServerPreferredNamespacedResources()
	var groupErr *discovery.ErrGroupDiscoveryFailed
	switch {
	case errors.As(err, &groupErr):
		for gv, e := range groupErr.Groups {
			s.DiscoveryFailures = append(s.DiscoveryFailures, DiscoveryFailure{GroupVersion: gv.String(), Error: e.Error()})
		}
	case err != nil:
		return fmt.Errorf("discover namespaced resources: %w", err)
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
					log.add(ReadProblem{Verb: "list", Resource: gvr.GroupResource().String(), Namespace: ns, Error: err.Error(),
						Skipped: []string{"namespace-terminating (its objects of this kind)"}})
					mu.Lock()
					defer mu.Unlock()
					s.NamespaceUnread[ns] = append(s.NamespaceUnread[ns], gvr.GroupResource().String())
					return nil
				}
				if err != nil {
					return fmt.Errorf("list %s in namespace %q: %w", gvr.GroupResource(), ns, err)
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
