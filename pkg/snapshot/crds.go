package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// getCRD reads one CustomResourceDefinition and keeps what the checks read
// of it (crdJSON): an Argo CD CRD is mostly its OpenAPI schema, hundreds
// of KB that would otherwise be decoded into maps on every diagnosis.
func getCRD(ctx context.Context, c Clients, name string) (*unstructured.Unstructured, error) {
	var data []byte
	if rc := restClientOf(c); rc != nil {
		res := rc.Get().AbsPath("/apis", CRDResource.Group, CRDResource.Version, CRDResource.Resource, name).
			SetHeader("Accept", "application/json").Do(ctx)
		var err error
		if data, err = res.Raw(); err != nil {
			return nil, res.Error()
		}
	} else {
		u, err := c.Dynamic.Resource(CRDResource).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		if data, err = u.MarshalJSON(); err != nil {
			return nil, err
		}
	}
	return trimCRD(name, data)
}

// crdJSON is what the checks read of a CRD: its metadata (deletion,
// finalizers, annotations), its status conditions (crd-terminating), and
// of each version's schema only the properties argocd.CRDFields name
// (version-skew), decoded lazily along those paths.
type crdJSON struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   json.RawMessage `json:"metadata"`
	Spec       struct {
		Group    string          `json:"group,omitempty"`
		Names    json.RawMessage `json:"names,omitempty"`
		Scope    string          `json:"scope,omitempty"`
		Versions []struct {
			Name    string `json:"name"`
			Served  bool   `json:"served"`
			Storage bool   `json:"storage"`
			Schema  struct {
				OpenAPIV3Schema schemaNode `json:"openAPIV3Schema"`
			} `json:"schema"`
		} `json:"versions"`
	} `json:"spec"`
	Status struct {
		Conditions json.RawMessage `json:"conditions,omitempty"`
	} `json:"status"`
}

// schemaNode is one level of an OpenAPI schema, its properties undecoded.
type schemaNode struct {
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
}

// trimCRD decodes a CRD's JSON into the unstructured form the checks read,
// without the schema beyond the paths of argocd.CRDFields, managedFields
// and the last-applied annotation.
func trimCRD(name string, data []byte) (*unstructured.Unstructured, error) {
	var crd crdJSON
	if err := json.Unmarshal(data, &crd); err != nil {
		return nil, fmt.Errorf("decode CRD %s: %w", name, err)
	}
	// The items of a LIST carry no kind of their own.
	crd.APIVersion, crd.Kind = "apiextensions.k8s.io/v1", "CustomResourceDefinition"
	for i := range crd.Spec.Versions {
		root := &crd.Spec.Versions[i].Schema.OpenAPIV3Schema
		pruned, err := pruneSchema(name, root)
		if err != nil {
			return nil, fmt.Errorf("decode CRD %s: %w", name, err)
		}
		*root = pruned
	}
	trimmed, err := json.Marshal(crd)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(trimmed); err != nil {
		return nil, fmt.Errorf("decode CRD %s: %w", name, err)
	}
	unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
	unstructured.RemoveNestedField(u.Object, "metadata", "annotations", lastAppliedAnnotation)
	return u, nil
}

// pruneSchema keeps of root only the properties along the CRDFields paths
// of the CRD called name, each kept node with its properties (if any)
// pruned likewise.
func pruneSchema(name string, root *schemaNode) (schemaNode, error) {
	type tree map[string]tree
	paths := tree{}
	for _, f := range argocd.CRDFields {
		if f.CRD != name {
			continue
		}
		t := paths
		for _, p := range f.Path {
			if t[p] == nil {
				t[p] = tree{}
			}
			t = t[p]
		}
	}
	var prune func(n *schemaNode, want tree) (schemaNode, error)
	prune = func(n *schemaNode, want tree) (schemaNode, error) {
		out := schemaNode{}
		for p, sub := range want {
			raw, ok := n.Properties[p]
			if !ok {
				continue
			}
			var child schemaNode
			if err := json.Unmarshal(raw, &child); err != nil {
				return out, err
			}
			kept, err := prune(&child, sub)
			if err != nil {
				return out, err
			}
			enc, err := json.Marshal(kept)
			if err != nil {
				return out, err
			}
			if out.Properties == nil {
				out.Properties = map[string]json.RawMessage{}
			}
			out.Properties[p] = enc
		}
		return out, nil
	}
	return prune(root, paths)
}

// CRDResource is the API resource of CustomResourceDefinitions.
var CRDResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// collectCRDs reads Argo CD's three CRDs: an uninstall half done leaves
// them Terminating. One LIST by Argo CD's label finds them as installed;
// one it does not find (unlabelled, or not installed) is read by name.
// Each keeps only what the checks read (getCRD).
func collectCRDs(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	labelled := argoCRDsByLabel(ctx, c)
	for _, name := range argocd.CRDNames {
		if crd, ok := labelled[name]; ok {
			s.ArgoCRDs = append(s.ArgoCRDs, *crd)
			continue
		}
		crd, err := getCRD(ctx, c, name)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case apierrors.IsForbidden(err):
			rec.failed(ReadProblem{Verb: "get", Resource: "customresourcedefinitions.apiextensions.k8s.io", Error: err.Error(), Source: CRDs})
			return nil
		case err != nil:
			return fmt.Errorf("get CRD %s: %w", name, err)
		}
		s.ArgoCRDs = append(s.ArgoCRDs, *crd)
	}
	rec.done(CRDs)
	return nil
}

// argoCRDsByLabel lists, with one request, the CRDs Argo CD labels as
// its own, trimmed as getCRD trims them. It gives none when the list
// cannot be made (a fake client) or fails: each CRD is then read by name,
// which says what is wrong.
func argoCRDsByLabel(ctx context.Context, c Clients) map[string]*unstructured.Unstructured {
	rc := restClientOf(c)
	if rc == nil {
		return nil
	}
	data, err := rc.Get().AbsPath("/apis", CRDResource.Group, CRDResource.Version, CRDResource.Resource).
		Param("labelSelector", argocd.CRDLabelSelector).SetHeader("Accept", "application/json").Do(ctx).Raw()
	if err != nil {
		return nil
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nil
	}
	out := map[string]*unstructured.Unstructured{}
	for _, item := range list.Items {
		var named struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(item, &named); err != nil || !slices.Contains(argocd.CRDNames, named.Metadata.Name) {
			continue
		}
		if crd, err := trimCRD(named.Metadata.Name, item); err == nil {
			out[named.Metadata.Name] = crd
		}
	}
	return out
}
