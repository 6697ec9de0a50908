package snapshot

import (
	"context"
	"fmt"
	"regexp"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// hookWaitPattern finds the hook a Running operation waits for:
// "waiting for completion of hook batch/Job/migrate".
var hookWaitPattern = regexp.MustCompile(`waiting for (?:completion|deletion) of (?:hook )?([^/\s]*)/([^/\s]+)/(\S+)`)

// collectHooks lists, once per kind, the hook objects of the selected
// apps' operations (the syncResult's hook entries, and the object a Running
// operation waits for), in the namespaces they live in.
func collectHooks(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	s.Hooks = map[LiveKey]*unstructured.Unstructured{}
	kinds := map[schema.GroupKind][]string{}
	add := func(group, kind, ns string) {
		gk := schema.GroupKind{Group: group, Kind: kind}
		if !slices.Contains(kinds[gk], ns) {
			kinds[gk] = append(kinds[gk], ns)
		}
	}
	for _, app := range s.Applications {
		op := app.Status.OperationState
		if op == nil || !argocd.IsInCluster(app.Spec.Destination) {
			continue
		}
		if op.SyncResult != nil {
			for _, r := range op.SyncResult.Resources {
				if r.HookType != "" {
					add(r.Group, r.Kind, r.Namespace)
				}
			}
		}
		if m := hookWaitPattern.FindStringSubmatch(op.Message); m != nil {
			add(m[1], m[2], app.Spec.Destination.Namespace)
		}
	}
	if len(kinds) == 0 || c.Mapper == nil {
		rec.done(Hooks)
		return nil
	}
	for gk, namespaces := range kinds {
		mapping, err := c.Mapper.RESTMapping(gk)
		if err != nil {
			rec.failed(ReadProblem{Verb: "list", Resource: gk.String(), Error: fmt.Sprintf("kind not served by the cluster: %v", err), Source: Hooks})
			continue
		}
		rec.resource(mapping.Resource, gk)
		resource := c.Dynamic.Resource(mapping.Resource)
		for _, ns := range namespaces {
			var items []unstructured.Unstructured
			if mapping.Scope.Name() == "namespace" {
				items, err = listAll(ctx, resource.Namespace(ns), metav1.ListOptions{})
			} else {
				items, err = listAll(ctx, resource, metav1.ListOptions{})
			}
			if apierrors.IsForbidden(err) || apierrors.IsNotFound(err) {
				rec.failed(ReadProblem{Verb: "list", Resource: mapping.Resource.GroupResource().String(), Namespace: ns, Error: err.Error(), Source: Hooks})
				continue
			}
			if err != nil {
				return fmt.Errorf("list %s%s: %w", mapping.Resource.GroupResource(), inNamespace(ns), err)
			}
			for i := range items {
				o := &items[i]
				s.Hooks[LiveKey{Group: gk.Group, Kind: gk.Kind, Namespace: o.GetNamespace(), Name: o.GetName()}] = o
			}
		}
	}
	rec.done(Hooks)
	return nil
}
