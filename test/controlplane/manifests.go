package controlplane

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// FieldManager is the server-side-apply field manager of the harness.
const FieldManager = "argofix-test"

// DecodeYAML splits a multi-document YAML (or JSON) stream into objects,
// skipping empty documents.
func DecodeYAML(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for i := 0; ; i++ {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, fmt.Errorf("decoding YAML document %d: %w", i+1, err)
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetKind() == "" || u.GetAPIVersion() == "" {
			return nil, fmt.Errorf("YAML document %d has no apiVersion/kind", i+1)
		}
		objs = append(objs, u)
	}
}

// Applier server-side-applies objects through the dynamic client, mapping
// kinds with a RESTMapper that re-reads discovery when a kind is unknown
// (CRDs installed a moment ago).
type Applier struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
}

// NewApplier builds an Applier for cfg.
func NewApplier(cfg *rest.Config) (*Applier, error) {
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("building HTTP client: %w", err)
	}
	mapper, err := apiutil.NewDynamicRESTMapper(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("building REST mapper: %w", err)
	}
	dyn, err := dynamic.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("building dynamic client: %w", err)
	}
	return &Applier{dyn: dyn, mapper: mapper}, nil
}

// Mapper is the Applier's RESTMapper.
func (a *Applier) Mapper() meta.RESTMapper { return a.mapper }

// Dynamic is the Applier's dynamic client.
func (a *Applier) Dynamic() dynamic.Interface { return a.dyn }

// Resource returns the client for obj's kind, in namespace ns when the kind
// is namespaced, and whether it is namespaced.
func (a *Applier) Resource(obj *unstructured.Unstructured, ns string) (dynamic.ResourceInterface, bool, error) {
	gvk := obj.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, false, fmt.Errorf("mapping %s: %w", gvk, err)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.dyn.Resource(m.Resource).Namespace(ns), true, nil
	}
	return a.dyn.Resource(m.Resource), false, nil
}

// Apply server-side-applies obj (forcing ownership: the harness is the
// only writer of what it applies). Namespaced objects without a namespace
// go into defaultNS.
func (a *Applier) Apply(ctx context.Context, obj *unstructured.Unstructured, defaultNS string) (*unstructured.Unstructured, error) {
	ns := obj.GetNamespace()
	if ns == "" {
		ns = defaultNS
	}
	res, namespaced, err := a.Resource(obj, ns)
	if err != nil {
		return nil, err
	}
	obj = obj.DeepCopy()
	if namespaced {
		obj.SetNamespace(ns)
	}
	out, err := res.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	if err != nil {
		return nil, fmt.Errorf("applying %s %s: %w", obj.GetKind(), describe(obj), err)
	}
	return out, nil
}

// ApplyAll applies objs in order.
func (a *Applier) ApplyAll(ctx context.Context, objs []*unstructured.Unstructured, defaultNS string) error {
	for _, o := range objs {
		if _, err := a.Apply(ctx, o, defaultNS); err != nil {
			return err
		}
	}
	return nil
}

func describe(obj *unstructured.Unstructured) string {
	if obj.GetNamespace() != "" {
		return obj.GetNamespace() + "/" + obj.GetName()
	}
	return obj.GetName()
}
