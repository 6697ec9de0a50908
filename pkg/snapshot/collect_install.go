package snapshot

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// Installation is the Argo CD installation itself, for the install and
// security audits: its workloads and their pods, its three ConfigMaps as
// stored (data and managedFields: when each key changed), and the
// Kubernetes version it runs on. The CRDs' schemas are in ArgoCRDs, the
// cluster Secrets in Clusters.
type Installation struct {
	Deployments  []appsv1.Deployment
	StatefulSets []appsv1.StatefulSet
	// Pods are every pod of the Argo CD namespace.
	Pods []corev1.Pod
	// ConfigMaps are argocd-cm, argocd-cmd-params-cm and argocd-rbac-cm by
	// name; a missing one is absent (Argo CD's defaults apply).
	ConfigMaps map[string]*corev1.ConfigMap
	// ServerVersion is the Kubernetes API server's gitVersion.
	ServerVersion string
}

// ConfigData is the data of one of the installation's ConfigMaps; nil
// when it does not exist.
func (i *Installation) ConfigData(name string) map[string]string {
	if cm := i.ConfigMaps[name]; cm != nil {
		return cm.Data
	}
	return nil
}

// installConfigMaps are the ConfigMaps the audits read.
var installConfigMaps = []string{argocd.ConfigMapName, argocd.CmdParamsConfigMap, argocd.RBACConfigMapName}

// CollectInstall reads what `diagnose install` and `diagnose security`
// need: the installation (collectInstall), argocd-cm and the other shared
// reads, the CRDs, the controller's pods and every Application the
// installation may reconcile (for sizing and monorepos). A constant number
// of requests: none grows with the number of Applications.
func CollectInstall(ctx context.Context, c Clients, opts CollectOptions) (*Snapshot, error) {
	rec := newRecorder()
	s := opts.newSnapshot()
	apps, err := listApplications(ctx, c, metav1.NamespaceAll, rec)
	if apierrors.IsForbidden(err) {
		rec.failed(ReadProblem{Verb: "list", Resource: "applications.argoproj.io", Error: err.Error(), Source: AllApplications})
		apps, err = listApplications(ctx, c, s.ArgoCDNamespace, rec)
		if apierrors.IsForbidden(err) {
			rec.failed(ReadProblem{Verb: "list", Resource: "applications.argoproj.io", Namespace: s.ArgoCDNamespace, Error: err.Error(), Source: AllApplications})
			apps, err = nil, nil
		}
	} else if err == nil {
		rec.done(AllApplications)
	}
	switch {
	case apierrors.IsNotFound(err):
		return nil, &NotInstalledError{}
	case err != nil:
		return nil, fmt.Errorf("list Applications in all namespaces: %w", err)
	}
	s.AllApplications = apps
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	g.Go(func() error { return collectInstallation(gctx, c, s, rec) })
	g.Go(func() error { return collectController(gctx, c, s, rec) })
	g.Go(func() error { return collectCRDs(gctx, c, s, rec) })
	g.Go(func() error { return collectInstall(gctx, c, s, rec) })
	err = g.Wait()
	rec.fill(s)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// collectInstall reads the installation: one LIST per kind in the Argo CD
// namespace (Deployments, StatefulSets, pods, ConfigMaps) and the server
// version, concurrently. Each read records its own Source.
func collectInstall(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	ns := s.ArgoCDNamespace
	var inst Installation
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		deps, err := listPaged[appsv1.Deployment](ctx, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return c.Kube.AppsV1().Deployments(ns).List(ctx, o)
		}, metav1.ListOptions{})
		if err != nil {
			return installReadFailed(rec, err, "deployments.apps", ns, InstallWorkloads)
		}
		sts, err := listPaged[appsv1.StatefulSet](ctx, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return c.Kube.AppsV1().StatefulSets(ns).List(ctx, o)
		}, metav1.ListOptions{})
		if err != nil {
			return installReadFailed(rec, err, "statefulsets.apps", ns, InstallWorkloads)
		}
		inst.Deployments, inst.StatefulSets = deps, sts
		rec.done(InstallWorkloads)
		return nil
	})
	g.Go(func() error {
		pods, err := listPods(ctx, c, ns, "")
		if err != nil {
			return installReadFailed(rec, err, "pods", ns, InstallPods)
		}
		inst.Pods = pods
		rec.done(InstallPods)
		return nil
	})
	g.Go(func() error {
		cms, err := listPaged[corev1.ConfigMap](ctx, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return c.Kube.CoreV1().ConfigMaps(ns).List(ctx, o)
		}, metav1.ListOptions{})
		if err != nil {
			return installReadFailed(rec, err, "configmaps", ns, InstallConfig)
		}
		inst.ConfigMaps = map[string]*corev1.ConfigMap{}
		for i := range cms {
			for _, name := range installConfigMaps {
				if cms[i].Name == name {
					inst.ConfigMaps[name] = &cms[i]
				}
			}
		}
		rec.done(InstallConfig)
		return nil
	})
	g.Go(func() error {
		if c.Discovery == nil {
			return nil
		}
		v, err := c.Discovery.ServerVersion()
		if err != nil {
			// The version only dates the skew check; never fail the audit for it.
			rec.failed(ReadProblem{Verb: "get", Resource: "/version", Error: err.Error(), Source: ServerVersion})
			return nil
		}
		inst.ServerVersion = v.GitVersion
		rec.done(ServerVersion)
		return nil
	})
	err := g.Wait()
	s.Install = inst
	return err
}

// installReadFailed records a forbidden read; other errors fail the
// collection.
func installReadFailed(rec *recorder, err error, resource, ns string, src Source) error {
	if apierrors.IsForbidden(err) {
		rec.failed(ReadProblem{Verb: "list", Resource: resource, Namespace: ns, Error: err.Error(), Source: src})
		return nil
	}
	return fmt.Errorf("list %s in %q: %w", resource, ns, err)
}
