package snapshot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// HoldsArgoCD tells whether namespace ns holds an Argo CD installation:
// an argocd-cm, an application-controller pod or an AppProject. A
// namespace that does not exist holds none. When the user may read none
// of the three, it cannot tell, and says it holds one: the reads that
// follow will name what was refused.
func HoldsArgoCD(ctx context.Context, c Clients, ns string) (bool, error) {
	refused := 0
	_, err := c.Kube.CoreV1().ConfigMaps(ns).Get(ctx, argocd.ConfigMapName, metav1.GetOptions{})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsForbidden(err):
		refused++
	case !apierrors.IsNotFound(err):
		return false, fmt.Errorf("look for argocd-cm in %q: %w", ns, err)
	}
	pods, err := c.Kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: argocd.ControllerSelector, Limit: 1})
	switch {
	case err == nil && len(pods.Items) > 0:
		return true, nil
	case apierrors.IsForbidden(err):
		refused++
	}
	projects, err := c.Dynamic.Resource(argocd.AppProjectsResource).Namespace(ns).List(ctx, metav1.ListOptions{Limit: 1})
	switch {
	case err == nil && len(projects.Items) > 0:
		return true, nil
	case apierrors.IsNotFound(err):
		// AppProjects are not served: Argo CD's CRDs are not installed.
		return false, &NotInstalledError{}
	case apierrors.IsForbidden(err):
		refused++
	}
	return refused == 3, nil
}

// FindInstallations lists the namespaces that hold an Argo CD
// installation, by their argocd-cm and application-controller pods, as far
// as the user may list them cluster-wide. controllers, when not nil, are
// the controller pods already listed across namespaces. refused is the
// first of the two lists that was not allowed: the installations found
// may then be only some of them.
func FindInstallations(ctx context.Context, c Clients, controllers []corev1.Pod) (found []string, refused error) {
	add := func(ns string) {
		if !slices.Contains(found, ns) {
			found = append(found, ns)
		}
	}
	cms, err := c.Kube.CoreV1().ConfigMaps(metav1.NamespaceAll).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", argocd.ConfigMapName).String()})
	if err == nil {
		for _, cm := range cms.Items {
			add(cm.Namespace)
		}
	} else {
		refused = err
	}
	if controllers == nil {
		pods, err := c.Kube.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{LabelSelector: argocd.ControllerSelector})
		if err != nil && refused == nil {
			refused = err
		}
		if err == nil {
			controllers = pods.Items
		}
	}
	for _, p := range controllers {
		add(p.Namespace)
	}
	slices.Sort(found)
	return found, refused
}

// NoInstallationError says a namespace named as the Argo CD namespace
// holds no Argo CD, with the namespaces that do.
type NoInstallationError struct {
	Namespace string
	Found     []string
}

func (e *NoInstallationError) Error() string {
	found := "none found where you may look"
	if len(e.Found) > 0 {
		found = "found: " + strings.Join(e.Found, ", ")
	}
	return fmt.Sprintf("no Argo CD installation in namespace %s (no argocd-cm, no application-controller pod, no AppProject); %s: pass --argocd-namespace", e.Namespace, found)
}

// AppNamespaces lists the namespaces that hold an Application called
// name, with one LIST across namespaces (a field selector on the name);
// nil when the user may not list Applications cluster-wide.
func AppNamespaces(ctx context.Context, c Clients, name string) []string {
	list, err := c.Dynamic.Resource(argocd.ApplicationsResource).Namespace(metav1.NamespaceAll).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()})
	if err != nil {
		return nil
	}
	var out []string
	for _, u := range list.Items {
		out = append(out, u.GetNamespace())
	}
	slices.Sort(out)
	return out
}

// InstallationWatching returns, among the installations found, the one
// whose controller watches Applications in namespace ns
// (argocd.WatchingInstallation), reading the argocd-cmd-params-cm of each
// unless one lives in ns. An unreadable one counts as watching only its
// own namespace, and refused says why: then "none watches ns" is not
// known.
func InstallationWatching(ctx context.Context, c Clients, ns string, installations []string) (watcher string, ok bool, refused error) {
	if slices.Contains(installations, ns) {
		return ns, true, nil
	}
	candidates := make([]argocd.Installation, 0, len(installations))
	for _, in := range installations {
		var settings argocd.Settings
		params, err := c.Kube.CoreV1().ConfigMaps(in).Get(ctx, argocd.CmdParamsConfigMap, metav1.GetOptions{})
		switch {
		case err == nil:
			settings.ReadCmdParams(params)
		case !apierrors.IsNotFound(err) && refused == nil:
			refused = fmt.Errorf("get ConfigMap %s/%s: %w", in, argocd.CmdParamsConfigMap, err)
		}
		candidates = append(candidates, argocd.Installation{Namespace: in, Settings: settings})
	}
	i, ok := argocd.WatchingInstallation(ns, candidates)
	if !ok {
		return "", false, refused
	}
	return candidates[i].Namespace, true, refused
}
