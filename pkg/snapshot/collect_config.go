package snapshot

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// ConfigObject is a ConfigMap or a Secret without its data: what
// config-stale needs to date its last change.
type ConfigObject struct {
	Kind string
	metav1.ObjectMeta
	Immutable bool
}

// collectConfigObjects lists the ConfigMaps and Secrets of the apps'
// namespaces (or of the cluster), one paginated LIST per kind and
// namespace, and keeps only their metadata: a Secret's data is dropped as
// soon as it is read.
func collectConfigObjects(ctx context.Context, c Clients, s *Snapshot, namespaces []string, all bool, rec *recorder) error {
	scopes := namespaces
	if all || len(namespaces) > perNamespaceListLimit {
		scopes = []string{metav1.NamespaceAll}
	}
	out := map[LiveKey]ConfigObject{}
	add := func(kind string, meta metav1.ObjectMeta, immutable *bool) {
		out[LiveKey{Kind: kind, Namespace: meta.Namespace, Name: meta.Name}] = ConfigObject{Kind: kind, ObjectMeta: meta, Immutable: immutable != nil && *immutable}
	}
	ok := true
	for _, ns := range scopes {
		cms, err := listPaged[corev1.ConfigMap](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return c.Kube.CoreV1().ConfigMaps(ns).List(ctx, opts)
		}, metav1.ListOptions{})
		if apierrors.IsForbidden(err) {
			ok = false
		}
		if err = configReadError(err, "configmaps", ns, rec); err != nil {
			return err
		}
		for i := range cms {
			add("ConfigMap", cms[i].ObjectMeta, cms[i].Immutable)
		}
		secrets, err := listPaged[corev1.Secret](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return c.Kube.CoreV1().Secrets(ns).List(ctx, opts)
		}, metav1.ListOptions{})
		if apierrors.IsForbidden(err) {
			ok = false
		}
		if err = configReadError(err, "secrets", ns, rec); err != nil {
			return err
		}
		for i := range secrets {
			add("Secret", secrets[i].ObjectMeta, secrets[i].Immutable)
		}
	}
	s.ConfigObjects = out
	if ok {
		rec.done(ConfigObjects)
	}
	return nil
}

// configReadError records a forbidden LIST as a read problem (config-stale
// then cannot say a reference is missing) and returns other errors.
func configReadError(err error, resource, ns string, rec *recorder) error {
	switch {
	case err == nil:
		return nil
	case apierrors.IsForbidden(err):
		rec.failed(ReadProblem{Verb: "list", Resource: resource, Namespace: ns, Error: err.Error(), Source: ConfigObjects})
		return nil
	}
	return fmt.Errorf("list %s%s: %w", resource, inNamespace(ns), err)
}
