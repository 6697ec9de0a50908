package diagnose

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// AppSelector selects Applications for `diagnose apps` and `diagnose`.
type AppSelector struct {
	// Namespace is where to look; empty with AllNamespaces.
	Namespace     string
	AllNamespaces bool
	Selector      string
	Project       string
	// WholeCluster also reads every namespace and pod, for `diagnose`.
	WholeCluster bool
}

// CollectApps reads the selected Applications and everything their checks
// need. The number of requests depends on the number of kinds and
// namespaces involved, never on the number of Applications.
func CollectApps(ctx context.Context, c Clients, sel AppSelector, opts CollectOptions) (*Snapshot, []ReadProblem, error) {
	if _, err := labels.Parse(sel.Selector); err != nil {
		return nil, nil, &BadSelectorError{Selector: sel.Selector, Err: err}
	}
	// The whole-cluster view lists every app, so that checks across apps
	// (shared objects, who manages what in a stuck namespace) see them all.
	log := &problemLog{}
	ns := sel.Namespace
	if sel.AllNamespaces || sel.WholeCluster {
		ns = metav1.NamespaceAll
	}
	apps := c.Dynamic.Resource(argocd.ApplicationsResource)
	list, err := listAll(ctx, apps.Namespace(ns), metav1.ListOptions{})
	if apierrors.IsForbidden(err) && !sel.AllNamespaces && ns != sel.Namespace {
		log.add(ReadProblem{Verb: "list", Resource: "applications.argoproj.io", Error: err.Error(),
			Skipped: []string{"Applications outside namespace " + sel.Namespace}})
		ns = sel.Namespace
		list, err = listAll(ctx, apps.Namespace(ns), metav1.ListOptions{})
	}
	if apierrors.IsNotFound(err) {
		return nil, nil, &NotInstalledError{}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list Applications%s: %w", inNamespace(ns), err)
	}
	s := &Snapshot{Now: opts.Now, StuckAfter: opts.StuckAfter, ArgoCDNamespace: opts.ArgoCDNamespace,
		argoCDNamespaceGuessed: opts.ArgoCDNamespaceGuessed}
	selector, _ := labels.Parse(sel.Selector)
	s.AllApplications = decodeApplications(list, log)
	for _, app := range s.AllApplications {
		if !sel.AllNamespaces && app.Namespace != sel.Namespace {
			continue
		}
		if !selector.Matches(labels.Set(app.Labels)) || sel.Project != "" && projectName(&app) != sel.Project {
			continue
		}
		s.Applications = append(s.Applications, app)
	}
	problems, err := collectAround(ctx, c, s, sel.AllNamespaces || sel.WholeCluster)
	return s, append(log.problems, problems...), err
}

// decodeApplications decodes what it can: one malformed Application is
// reported and skipped, not a reason to diagnose nothing.
func decodeApplications(list []unstructured.Unstructured, log *problemLog) []argocd.Application {
	apps := make([]argocd.Application, 0, len(list))
	for i := range list {
		app, err := argocd.DecodeApplication(&list[i])
		if err != nil {
			log.add(ReadProblem{Verb: "decode", Resource: "applications.argoproj.io", Namespace: list[i].GetNamespace(), Error: err.Error()})
			continue
		}
		apps = append(apps, app)
	}
	return apps
}

// BadSelectorError is a malformed -l value.
type BadSelectorError struct {
	Selector string
	Err      error
}

func (e *BadSelectorError) Error() string {
	return fmt.Sprintf("invalid label selector %q: %v", e.Selector, e.Err)
}

func (e *BadSelectorError) Unwrap() error { return e.Err }

func inNamespace(ns string) string {
	if ns == "" {
		return " in all namespaces"
	}
	return fmt.Sprintf(" in namespace %q", ns)
}

// namespacesOfApps lists the namespaces the apps live in and deploy to.
func namespacesOfApps(apps []argocd.Application) []string {
	var out []string
	add := func(ns string) {
		if ns != "" && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	for _, app := range apps {
		add(app.Namespace)
		if isInCluster(app.Spec.Destination) {
			add(app.Spec.Destination.Namespace)
			for _, r := range app.Status.Resources {
				add(r.Namespace)
			}
		}
	}
	slices.Sort(out)
	return out
}

// isInCluster tells whether a destination is the cluster we are reading;
// the live objects of other clusters are out of reach.
func isInCluster(d argocd.Destination) bool {
	return d.Name == argocd.InClusterName || d.Name == "" && sameServer(d.Server, argocd.InClusterServer)
}
