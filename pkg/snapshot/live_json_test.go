package snapshot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// TestReadLive: a page of a list is walked without decoding; the kept
// items get the list's apiVersion and kind, a Synced one loses
// managedFields, the last-applied copy and a ConfigMap's data (escapes,
// braces in strings and whitespace included), an OutOfSync one stays
// whole, and the continue token leads to the next page.
func TestReadLive(t *testing.T) {
	pages := map[string]string{
		"": `{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"continue":"p2"},"items":[
		 {"metadata":{"name":"synced","namespace":"a","labels":{"x":"}{\"]"},
		   "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"k\":\"v\"}}","keep":"me"},
		   "managedFields":[{"manager":"kubectl","fieldsV1":{"f:data":{}}}]},
		  "data":{"k":"v\"}"} , "immutable" : false},
		 {"metadata":{"name":"other","namespace":"a"},"data":{"k":"v"}}]}`,
		"p2": `{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":[
		 {"metadata":{"name":"drifted","namespace":"a","managedFields":[{"manager":"m"}]},"data":{"k":"v"}},
		 {"metadata":{"name":"empty","namespace":"a","annotations":{}}}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/namespaces/a/configmaps" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(pages[r.URL.Query().Get("continue")]))
	}))
	defer srv.Close()
	app := argocd.Application{}
	app.Spec.Destination.Server = argocd.InClusterServer
	app.Status.Resources = []argocd.ResourceStatus{
		{Kind: "ConfigMap", Namespace: "a", Name: "synced", Status: "Synced"},
		{Kind: "ConfigMap", Namespace: "a", Name: "drifted", Status: "OutOfSync"},
		{Kind: "ConfigMap", Namespace: "a", Name: "empty", Status: "Synced"},
	}
	gk := schema.GroupKind{Kind: "ConfigMap"}
	kept, err := readLive(context.Background(), restClientOf(realClients(t, srv.URL)),
		schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "a", gk, newLiveKeep([]argocd.Application{app}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, k := range kept {
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(k.raw); err != nil {
			t.Fatalf("%s: %v", k.raw, err)
		}
		if k.key != (LiveKey{Kind: "ConfigMap", Namespace: "a", Name: u.GetName()}) || u.GetAPIVersion() != "v1" || u.GetKind() != "ConfigMap" {
			t.Errorf("key %v, object %v", k.key, u.Object)
		}
		got[u.GetName()] = u.Object
	}
	want := map[string]map[string]any{
		"synced": {"apiVersion": "v1", "kind": "ConfigMap", "immutable": false, "metadata": map[string]any{
			"name": "synced", "namespace": "a", "labels": map[string]any{"x": `}{"]`}, "annotations": map[string]any{"keep": "me"}}},
		"drifted": {"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": "v"}, "metadata": map[string]any{
			"name": "drifted", "namespace": "a", "managedFields": []any{map[string]any{"manager": "m"}}}},
		"empty": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "empty", "namespace": "a", "annotations": map[string]any{}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kept\n%v\nwant\n%v", got, want)
	}
}

// TestScanLivePageRejectsMalformed: a page that is not JSON is an error,
// never a partial list.
func TestScanLivePageRejectsMalformed(t *testing.T) {
	for _, data := range []string{`{"items":[{"metadata":{}}`, `{"items":[{"metadata":{"name":"a"}]}`, `[]`} {
		if _, err := scanLivePage([]byte(data), func(livePage, []byte) error { return nil }); err == nil {
			t.Errorf("%s: no error", data)
		}
	}
}
