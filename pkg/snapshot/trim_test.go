package snapshot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// TestTrimCRD: of a CRD only what the checks read is kept: metadata
// (without managedFields and the last-applied copy), conditions, and the
// schema properties along argocd.CRDFields, present or absent as stored.
func TestTrimCRD(t *testing.T) {
	data := []byte(`{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
	"metadata":{"name":"applications.argoproj.io","generation":3,"finalizers":["customresourcecleanup.apiextensions.k8s.io"],
	  "deletionTimestamp":"2026-01-01T00:00:00Z","annotations":{"a":"b","kubectl.kubernetes.io/last-applied-configuration":"{}"},
	  "managedFields":[{"manager":"kubectl"}]},
	"spec":{"group":"argoproj.io","versions":[
	  {"name":"v1alpha1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","description":"long",
	    "properties":{"spec":{"type":"object","properties":{"sources":{"type":"array","items":{"description":"huge"}},"source":{"type":"object"}}},
	                  "status":{"properties":{"health":{}}}}}}},
	  {"name":"v1beta1","served":false,"storage":false}]},
	"status":{"conditions":[{"type":"Terminating","status":"True","reason":"InstanceDeletionInProgress","message":"m"}]}}`)
	u, err := trimCRD("applications.argoproj.io", data)
	if err != nil {
		t.Fatal(err)
	}
	if u.GetName() != "applications.argoproj.io" || u.GetDeletionTimestamp() == nil || len(u.GetFinalizers()) != 1 || u.GetGeneration() != 3 {
		t.Errorf("metadata lost: %v", u.Object["metadata"])
	}
	if u.GetManagedFields() != nil || u.GetAnnotations()[lastAppliedAnnotation] != "" || u.GetAnnotations()["a"] != "b" {
		t.Errorf("annotations/managedFields: %v", u.Object["metadata"])
	}
	if conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions"); len(conds) != 1 {
		t.Errorf("conditions lost: %v", u.Object["status"])
	}
	versions, _, _ := unstructured.NestedSlice(u.Object, "spec", "versions")
	if len(versions) != 2 || versions[0].(map[string]any)["served"] != true || versions[1].(map[string]any)["served"] != false {
		t.Fatalf("versions: %v", versions)
	}
	schemaOf := func(path ...string) bool {
		fields := append([]string{"schema", "openAPIV3Schema"}, path...)
		_, ok, _ := unstructured.NestedMap(versions[0].(map[string]any), fields...)
		return ok
	}
	if !schemaOf("properties", "spec", "properties", "sources") {
		t.Errorf("spec.sources lost: %v", versions[0])
	}
	for _, gone := range [][]string{{"properties", "spec", "properties", "source"}, {"properties", "status", "properties", "health"}, {"properties", "spec", "properties", "sources", "items"}} {
		if schemaOf(gone...) {
			t.Errorf("%v kept, not read by any check", gone)
		}
	}
	if schemaOf("properties", "status", "properties", "controllerNamespace") {
		t.Error("a property the schema lacks appeared")
	}
}

// TestLiveKeep: only managed objects (and pod owners) are kept; of a
// Synced one managedFields, the last-applied copy and a ConfigMap's data
// go, an OutOfSync one stays whole for outofsync-after-sync.
func TestLiveKeep(t *testing.T) {
	app := argocd.Application{}
	app.Spec.Destination.Server = argocd.InClusterServer
	app.Status.Resources = []argocd.ResourceStatus{
		{Kind: "ConfigMap", Namespace: "a", Name: "synced", Status: "Synced"},
		{Kind: "ConfigMap", Namespace: "a", Name: "drifted", Status: "OutOfSync"},
	}
	keep := newLiveKeep([]argocd.Application{app})
	cm := func(name string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"kind": "ConfigMap",
			"metadata": map[string]any{"name": name, "namespace": "a", "managedFields": []any{map[string]any{"manager": "m"}},
				"annotations": map[string]any{lastAppliedAnnotation: "{}", "x": "y"}},
			"data": map[string]any{"k": "v"}}}
	}
	gk := schema.GroupKind{Kind: "ConfigMap"}
	kept := func(gk schema.GroupKind, o *unstructured.Unstructured) *unstructured.Unstructured {
		t.Helper()
		data, err := o.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		_, raw, err := keep.keep(gk, "v1", gk.Kind, data)
		if err != nil || raw == nil {
			return nil
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(raw); err != nil {
			t.Fatalf("kept JSON %s: %v", raw, err)
		}
		return u
	}
	if kept(gk, cm("other")) != nil {
		t.Error("an object no app manages was kept")
	}
	synced := kept(gk, cm("synced"))
	if synced == nil {
		t.Fatal("a managed object was dropped")
	}
	if synced.GetManagedFields() != nil || synced.GetAnnotations()[lastAppliedAnnotation] != "" || synced.Object["data"] != nil || synced.GetAnnotations()["x"] != "y" {
		t.Errorf("synced object not trimmed as expected: %v", synced.Object)
	}
	drifted := kept(gk, cm("drifted"))
	if drifted == nil || drifted.GetManagedFields() == nil || drifted.Object["data"] == nil || drifted.GetAnnotations()[lastAppliedAnnotation] == "" {
		t.Errorf("OutOfSync object trimmed: %v", drifted)
	}
	rs := &unstructured.Unstructured{Object: map[string]any{"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": map[string]any{"name": "web-1", "namespace": "a"}}}
	if kept(schema.GroupKind{Group: "apps", Kind: "ReplicaSet"}, rs) == nil {
		t.Error("a ReplicaSet, which stale-pods follows to its Deployment, was dropped")
	}
}

// TestReadConfigObjects: metadata and immutable are read, the data is not
// kept, nor the fields of managedFields (only who and when).
func TestReadConfigObjects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"SecretList","apiVersion":"v1","metadata":{},"items":[
		{"metadata":{"name":"s","namespace":"a","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{}}"},
		  "managedFields":[{"manager":"kubectl","operation":"Update","time":"2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{}}}]},
		 "immutable":true,"data":{"password":"c2VjcmV0"}}]}`))
	}))
	defer srv.Close()
	out := map[LiveKey]ConfigObject{}
	if err := readConfigObjects(context.Background(), restClientOf(realClients(t, srv.URL)), "Secret", "a", out); err != nil {
		t.Fatal(err)
	}
	co, ok := out[LiveKey{Kind: "Secret", Namespace: "a", Name: "s"}]
	if !ok || !co.Immutable || co.Kind != "Secret" {
		t.Fatalf("got %+v", out)
	}
	if len(co.ManagedFields) != 1 || co.ManagedFields[0].Manager != "kubectl" || co.ManagedFields[0].Time == nil || co.ManagedFields[0].FieldsV1 != nil {
		t.Errorf("managedFields: %+v", co.ManagedFields)
	}
	if _, ok := co.Annotations[lastAppliedAnnotation]; ok {
		t.Error("the last-applied copy of the data was kept")
	}
}
