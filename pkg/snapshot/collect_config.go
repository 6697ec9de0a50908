package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
)

// ConfigObject is a ConfigMap or a Secret without its data: what
// config-stale needs to date its last change.
type ConfigObject struct {
	Kind string
	metav1.ObjectMeta
	Immutable bool
}

// configScopes are the namespaces config-stale's objects are listed in:
// the apps' namespaces, or all (metav1.NamespaceAll).
func configScopes(namespaces []string, all bool) []string {
	if all || len(namespaces) > perNamespaceListLimit {
		return []string{metav1.NamespaceAll}
	}
	return namespaces
}

// collectConfigObjects lists the ConfigMaps and Secrets of the apps'
// namespaces (or of the cluster), one paginated LIST per kind and
// namespace, and keeps only their metadata: a Secret's data is dropped as
// soon as it is read. The ConfigMap LISTs in shared are collectLive's.
func collectConfigObjects(ctx context.Context, c Clients, s *Snapshot, namespaces []string, all bool, shared *sharedConfigMaps, rec *recorder) error {
	out := map[LiveKey]ConfigObject{}
	ok := true
	for _, ns := range configScopes(namespaces, all) {
		for _, kind := range []string{"Secret", "ConfigMap"} {
			err := readConfigKind(ctx, c, kind, ns, shared, out)
			if apierrors.IsForbidden(err) {
				ok = false
			}
			if err = configReadError(err, strings.ToLower(kind)+"s", ns, rec); err != nil {
				return err
			}
		}
	}
	s.ConfigObjects = out
	if ok {
		rec.done(ConfigObjects)
	}
	return nil
}

// readConfigKind reads one kind in one scope into out; a ConfigMap LIST
// collectLive made for both is taken from shared.
func readConfigKind(ctx context.Context, c Clients, kind, ns string, shared *sharedConfigMaps, out map[LiveKey]ConfigObject) error {
	if kind == "ConfigMap" {
		objects, read, err := shared.take(ctx, ns)
		if read || err != nil {
			maps.Copy(out, objects)
			return err
		}
	}
	if rc := restClientOf(c); rc != nil {
		return readConfigObjects(ctx, rc, kind, ns, out)
	}
	return listConfigObjects(ctx, c, kind, ns, func(kind string, meta metav1.ObjectMeta, immutable *bool) {
		addConfigObject(out, kind, meta, immutable)
	})
}

// addConfigObject keeps what config-stale reads of a ConfigMap or Secret:
// its metadata without the kubectl last-applied annotation (a copy of the
// data) and, of each managedFields entry, who wrote it and when, not which
// fields.
func addConfigObject(out map[LiveKey]ConfigObject, kind string, meta metav1.ObjectMeta, immutable *bool) {
	if _, ok := meta.Annotations[lastAppliedAnnotation]; ok {
		meta.Annotations = maps.Clone(meta.Annotations)
		delete(meta.Annotations, lastAppliedAnnotation)
	}
	for i := range meta.ManagedFields {
		meta.ManagedFields[i].FieldsV1 = nil
	}
	out[LiveKey{Kind: kind, Namespace: meta.Namespace, Name: meta.Name}] = ConfigObject{Kind: kind, ObjectMeta: meta, Immutable: immutable != nil && *immutable}
}

// listConfigObjects lists one kind through the typed client (the fakes of
// pure tests).
func listConfigObjects(ctx context.Context, c Clients, kind, ns string, add func(string, metav1.ObjectMeta, *bool)) error {
	if kind == "Secret" {
		secrets, err := listPaged[corev1.Secret](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return c.Kube.CoreV1().Secrets(ns).List(ctx, opts)
		}, metav1.ListOptions{})
		for i := range secrets {
			add(kind, secrets[i].ObjectMeta, secrets[i].Immutable)
		}
		return err
	}
	cms, err := listPaged[corev1.ConfigMap](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return c.Kube.CoreV1().ConfigMaps(ns).List(ctx, opts)
	}, metav1.ListOptions{})
	for i := range cms {
		add(kind, cms[i].ObjectMeta, cms[i].Immutable)
	}
	return err
}

// readConfigObjects reads one kind page by page, decoding of each item
// only its metadata and immutable: a Secret's data is skipped by the
// decoder, never held. (A PartialObjectMetadataList would not carry
// immutable, which config-stale needs.)
func readConfigObjects(ctx context.Context, rc *rest.RESTClient, kind, ns string, out map[LiveKey]ConfigObject) error {
	path := "/api/v1/" + strings.ToLower(kind) + "s"
	if ns != metav1.NamespaceAll {
		path = "/api/v1/namespaces/" + ns + "/" + strings.ToLower(kind) + "s"
	}
	read := map[LiveKey]ConfigObject{}
	err := getPages(ctx, rc, path, nil, func(data []byte) (string, error) {
		return decodeConfigPage(data, kind, read)
	}, func() { clear(read) })
	maps.Copy(out, read)
	return err
}

// decodeConfigPage decodes of one page of a list of kind the metadata and
// immutable of each item into read, and returns its continue token.
func decodeConfigPage(data []byte, kind string, read map[LiveKey]ConfigObject) (string, error) {
	var page struct {
		Metadata metav1.ListMeta `json:"metadata"`
		Items    []struct {
			Metadata  metav1.ObjectMeta `json:"metadata"`
			Immutable *bool             `json:"immutable"`
		} `json:"items"`
	}
	if err := json.Unmarshal(data, &page); err != nil {
		return "", fmt.Errorf("decode list of %ss: %w", kind, err)
	}
	for i := range page.Items {
		addConfigObject(read, kind, page.Items[i].Metadata, page.Items[i].Immutable)
	}
	return page.Metadata.Continue, nil
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
