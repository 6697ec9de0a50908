package snapshot

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ApplicationSetsResource is the API resource of Argo CD's ApplicationSets.
var ApplicationSetsResource = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applicationsets"}

// applicationSetsCRD is the name of the ApplicationSet CRD.
const applicationSetsCRD = "applicationsets.argoproj.io"

// collectTerminatingAppSets lists every ApplicationSet of the cluster when
// their CRD is being deleted: the instances left are what holds it. A
// cluster-wide LIST only then, so an ordinary diagnosis needs no such
// permission. It runs after collectCRDs, whose read of the CRD it uses
// (collectCRDs records a CRD read that is forbidden). It then
// hands over to collectScopedAppSets, which reuses that list when there
// is one: ApplicationSets are listed once per diagnosis.
func collectTerminatingAppSets(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	i := slices.IndexFunc(s.ArgoCRDs, func(crd unstructured.Unstructured) bool { return crd.GetName() == applicationSetsCRD })
	if i < 0 || s.ArgoCRDs[i].GetDeletionTimestamp() == nil {
		return collectScopedAppSets(ctx, c, s, nil, rec)
	}
	items, err := listAll(ctx, c.Dynamic.Resource(ApplicationSetsResource), metav1.ListOptions{})
	switch {
	case apierrors.IsForbidden(err):
		rec.failed(ReadProblem{Verb: "list", Resource: "applicationsets.argoproj.io", Error: err.Error(), Source: ApplicationSets})
		return collectScopedAppSets(ctx, c, s, nil, rec)
	case apierrors.IsNotFound(err):
	case err != nil:
		return fmt.Errorf("list ApplicationSets: %w", err)
	}
	s.ApplicationSets = items
	rec.done(ApplicationSets)
	return collectScopedAppSets(ctx, c, s, &items, rec)
}
