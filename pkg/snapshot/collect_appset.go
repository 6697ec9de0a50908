package snapshot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// collectScopedAppSets reads the ApplicationSets being diagnosed into
// s.AppSets, with one LIST in the diagnosis' scope: every namespace when
// the Applications were listed cluster-wide (-A, the whole cluster), else
// the Argo CD namespace, so that `diagnose app` needs no cluster-wide
// permission. clusterWide, when not nil, is the cluster-wide list the CRD
// deletion path already made: it is filtered, not read again. For
// `diagnose app X` (s.Named) only the sets owning X are kept; for
// `diagnose appset` (AppSets already read) nothing more is read. A refused
// LIST is a ReadProblem that silences applicationset-error only.
func collectScopedAppSets(ctx context.Context, c Clients, s *Snapshot, clusterWide *[]unstructured.Unstructured, rec *recorder) error {
	if rec.has(AppSets) {
		return nil
	}
	ns := s.ArgoCDNamespace
	if rec.has(AllApplications) {
		ns = metav1.NamespaceAll
	}
	if s.Named && clusterWide == nil && !slices.ContainsFunc(s.Applications, ownedBySet) {
		// diagnose app X of no ApplicationSet: no set would be kept, so
		// none is listed.
		rec.done(AppSets)
		return nil
	}
	var items []unstructured.Unstructured
	if clusterWide != nil {
		for _, u := range *clusterWide {
			if ns == metav1.NamespaceAll || u.GetNamespace() == ns {
				items = append(items, u)
			}
		}
	} else {
		var err error
		items, err = listAppSets(ctx, c, ns, rec)
		if apierrors.IsForbidden(err) && ns == metav1.NamespaceAll {
			// Every namespace refused: the Argo CD namespace may still be
			// readable, so the report is partial rather than silent.
			ns = s.ArgoCDNamespace
			items, err = listAppSets(ctx, c, ns, rec)
		}
		if apierrors.IsForbidden(err) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	for i := range items {
		set, err := argocd.DecodeApplicationSet(&items[i])
		if err != nil {
			rec.failed(ReadProblem{Verb: "decode", Resource: "applicationsets.argoproj.io", Namespace: items[i].GetNamespace(), Error: err.Error()})
			continue
		}
		if s.Named && !ownsAny(&set, s.Applications) {
			continue
		}
		s.AppSets = append(s.AppSets, set)
	}
	rec.done(AppSets)
	return nil
}

// listAppSets lists the ApplicationSets of ns (all namespaces for ""). A
// refusal is recorded and returned; ApplicationSets not served (their CRD
// is not installed) is an empty list.
func listAppSets(ctx context.Context, c Clients, ns string, rec *recorder) ([]unstructured.Unstructured, error) {
	items, err := listAll(ctx, c.Dynamic.Resource(ApplicationSetsResource).Namespace(ns), metav1.ListOptions{})
	switch {
	case apierrors.IsForbidden(err):
		rec.failed(ReadProblem{Verb: "list", Resource: "applicationsets.argoproj.io", Namespace: ns, Error: err.Error(), Source: AppSets})
		return nil, err
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("list ApplicationSets%s: %w", inNamespace(ns), err)
	}
	return items, nil
}

func ownsAny(set *argocd.ApplicationSet, apps []argocd.Application) bool {
	for i := range apps {
		if set.Owns(&apps[i]) {
			return true
		}
	}
	return false
}

// ownedBySet tells whether an ApplicationSet owns app (Owns checks which).
func ownedBySet(app argocd.Application) bool {
	return slices.ContainsFunc(app.OwnerReferences, func(ref metav1.OwnerReference) bool {
		return ref.Kind == "ApplicationSet" && strings.HasPrefix(ref.APIVersion, argocd.Group+"/")
	})
}

// AppSetTarget selects one ApplicationSet.
type AppSetTarget struct {
	Namespace string
	Name      string
}

// CollectAppSet reads one ApplicationSet for `diagnose appset NAME`: the
// set (one GET), the Applications of its namespace (one LIST), of which
// its own (ownerReferences) are the apps diagnosed, and what their checks
// need. The set itself must be readable.
func CollectAppSet(ctx context.Context, c Clients, target AppSetTarget, opts CollectOptions) (*Snapshot, error) {
	sets := c.Dynamic.Resource(ApplicationSetsResource).Namespace(target.Namespace)
	u, err := sets.Get(ctx, target.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, appSetNotFound(ctx, c, target)
	}
	if err != nil {
		return nil, fmt.Errorf("get ApplicationSet %s/%s: %w", target.Namespace, target.Name, err)
	}
	set, err := argocd.DecodeApplicationSet(u)
	if err != nil {
		return nil, err
	}
	s := opts.newSnapshot()
	s.Named = true
	s.AppSets = []argocd.ApplicationSet{set}
	rec := newRecorder()
	rec.done(AppSets)
	apps, err := listApplications(ctx, c, target.Namespace, rec)
	switch {
	case apierrors.IsForbidden(err):
		// The set is still diagnosed; which Applications it holds is not known.
		rec.failed(ReadProblem{Verb: "list", Resource: "applications.argoproj.io", Namespace: target.Namespace, Error: err.Error(), Source: AllApplications})
	case err != nil && !apierrors.IsNotFound(err):
		return nil, fmt.Errorf("list Applications in %q: %w", target.Namespace, err)
	}
	s.AllApplications = apps
	for _, app := range s.AllApplications {
		if set.Owns(&app) {
			s.Applications = append(s.Applications, app)
		}
	}
	if err := collectAround(ctx, c, s, false, rec); err != nil {
		return nil, err
	}
	return s, nil
}

// AppSetNotFoundError says an ApplicationSet the user named does not exist.
type AppSetNotFoundError struct {
	Namespace string
	Name      string
	Closest   []string
	// NotServed: the cluster serves no applicationsets.argoproj.io at all.
	NotServed bool
}

func (e *AppSetNotFoundError) Error() string {
	if e.NotServed {
		return fmt.Sprintf("ApplicationSet %q not found: this cluster serves no applicationsets.argoproj.io (ApplicationSet CRD not installed); check the context", e.Name)
	}
	msg := fmt.Sprintf("ApplicationSet %q not found in namespace %q", e.Name, e.Namespace)
	if len(e.Closest) > 0 {
		return msg + fmt.Sprintf("; did you mean %s?", strings.Join(e.Closest, ", "))
	}
	return msg + "; list them with: kubectl get applicationsets.argoproj.io -A"
}

// appSetNotFound lists the names of the namespace's ApplicationSets the
// user may have meant.
func appSetNotFound(ctx context.Context, c Clients, target AppSetTarget) error {
	closest, served, err := closestNames(ctx, c, ApplicationSetsResource, target.Namespace, target.Name)
	if err != nil {
		return err
	}
	return &AppSetNotFoundError{Namespace: target.Namespace, Name: target.Name, NotServed: !served, Closest: closest}
}
