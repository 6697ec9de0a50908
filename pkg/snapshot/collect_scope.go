package snapshot

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"
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
func CollectApps(ctx context.Context, c Clients, sel AppSelector, opts CollectOptions) (*Snapshot, error) {
	if _, err := labels.Parse(sel.Selector); err != nil {
		return nil, &BadSelectorError{Selector: sel.Selector, Err: err}
	}
	// The whole-cluster view lists every app, so that checks across apps
	// (shared objects, who manages what in a stuck namespace) see them all.
	rec := newRecorder()
	ns := sel.Namespace
	if sel.AllNamespaces || sel.WholeCluster {
		ns = metav1.NamespaceAll
	}
	list, err := listApplications(ctx, c, ns, rec)
	if apierrors.IsForbidden(err) && !sel.AllNamespaces && ns != sel.Namespace {
		rec.failed(ReadProblem{Verb: "list", Resource: "applications.argoproj.io", Error: err.Error(), Source: AllApplications})
		ns = sel.Namespace
		list, err = listApplications(ctx, c, ns, rec)
	}
	if apierrors.IsNotFound(err) {
		return nil, &NotInstalledError{}
	}
	if err != nil {
		return nil, fmt.Errorf("list Applications%s: %w", inNamespace(ns), err)
	}
	if ns == metav1.NamespaceAll {
		rec.done(AllApplications)
	} else if len(list) == 0 {
		if _, err := c.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return nil, &NamespaceNotFoundError{Name: ns}
		}
	}
	s := opts.newSnapshot()
	selector, _ := labels.Parse(sel.Selector)
	s.AllApplications = list
	for _, app := range s.AllApplications {
		if !sel.AllNamespaces && app.Namespace != sel.Namespace {
			continue
		}
		if !selector.Matches(labels.Set(app.Labels)) || sel.Project != "" && app.ProjectName() != sel.Project {
			continue
		}
		s.Applications = append(s.Applications, app)
	}
	if sel.WholeCluster {
		// The whole-cluster view includes the installation and security
		// audits: a constant number of reads, whatever the number of apps.
		if err := collectInstall(ctx, c, s, rec); err != nil {
			return nil, err
		}
	}
	everyNamespace := sel.AllNamespaces || sel.WholeCluster
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return collectAround(gctx, c, s, everyNamespace, rec) })
	if everyNamespace {
		g.Go(func() error { return collectOtherInstallations(gctx, c, s, sel.WholeCluster) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeApplications decodes what it can: one malformed Application is
// reported and skipped, not a reason to diagnose nothing.
func decodeApplications(list []unstructured.Unstructured, rec *recorder) []argocd.Application {
	apps := make([]argocd.Application, 0, len(list))
	for i := range list {
		app, err := argocd.DecodeApplication(&list[i])
		if err != nil {
			rec.failed(ReadProblem{Verb: "decode", Resource: "applications.argoproj.io", Namespace: list[i].GetNamespace(), Error: err.Error()})
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

// namespacesOfApps lists the namespaces the apps live in and deploy to:
// whose Namespace objects the checks read.
func namespacesOfApps(apps []argocd.Application) []string {
	return namespacesOf(apps, true)
}

// namespacesOfContents lists the namespaces the apps deploy to, in this
// cluster: where the pods, events, ConfigMaps and Secrets of what they
// manage are. The namespace an app lives in is not among them unless it
// deploys there too: what is in it (Argo CD itself, for the control
// namespace) is no evidence about the app.
func namespacesOfContents(apps []argocd.Application) []string {
	return namespacesOf(apps, false)
}

func namespacesOf(apps []argocd.Application, withAppNamespace bool) []string {
	var out []string
	add := func(ns string) {
		if ns != "" && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	for _, app := range apps {
		if withAppNamespace {
			add(app.Namespace)
		}
		if argocd.IsInCluster(app.Spec.Destination) {
			add(app.Spec.Destination.Namespace)
			for _, r := range app.Status.Resources {
				add(r.Namespace)
			}
		}
	}
	slices.Sort(out)
	return out
}
