package snapshot

import (
	"context"
	"encoding/json"
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
		schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "a", gk, newLiveKeep([]argocd.Application{app}), nil)
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

// TestScanLivePageRejectsMalformed: a page that is not JSON, or not a
// list, is an error, never a partial list.
func TestScanLivePageRejectsMalformed(t *testing.T) {
	for _, data := range []string{
		`{"items":[{"metadata":{}}`, `{"items":[{"metadata":{"name":"a"}]}`, `[]`, ``,
		`{"items":{"metadata":{}}}`, `{"items":[{"metadata":{}},1]}`, `{"items":[{"metadata":{"name":"a\x"}}]}`,
	} {
		if _, err := scanLivePage([]byte(data), func(livePage, []byte) error { return nil }); err == nil {
			t.Errorf("%s: no error", data)
		}
	}
}

// TestScanLivePage: the list's apiVersion, kind (without "List") and
// continue token; items as they are in the page, with whitespace; a list
// with no items, or null, is empty.
func TestScanLivePage(t *testing.T) {
	for _, tc := range []struct {
		data  string
		page  livePage
		items []string
	}{
		{` { "apiVersion" : "apps/v1", "kind":"DeploymentList", "metadata":{"continue":"c\u0031"},
		    "items" : [ {"metadata":{"name":"a"}} ,{"kind":"Deployment"}] } `,
			livePage{apiVersion: "apps/v1", kind: "Deployment", cont: "c1"}, []string{`{"metadata":{"name":"a"}}`, `{"kind":"Deployment"}`}},
		{`{"kind":"List","metadata":{},"items":null}`, livePage{kind: "List"}, nil},
		{`{"kind":"WidgetList","apiVersion":"x/v1","metadata":{"remainingItemCount":3}}`, livePage{apiVersion: "x/v1", kind: "Widget"}, nil},
	} {
		var items []string
		page, err := scanLivePage([]byte(tc.data), func(page livePage, item []byte) error {
			items = append(items, string(item))
			return nil
		})
		if err != nil || page != tc.page || !reflect.DeepEqual(items, tc.items) {
			t.Errorf("%s: page %+v, items %q, error %v; want %+v, %q", tc.data, page, items, err, tc.page, tc.items)
		}
	}
}

// TestLiveJSON: an item that carries its kind keeps it; one that does not
// gets the list's; the copy never shares the page's bytes.
func TestLiveJSON(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		whole bool
		want  map[string]any
	}{
		{`{"apiVersion":"x/v2","kind":"Widget","metadata":{"name":"w","managedFields":[]}}`, false,
			map[string]any{"apiVersion": "x/v2", "kind": "Widget", "metadata": map[string]any{"name": "w"}}},
		{`{"metadata":{"name":"w","managedFields":[]},"data":{"k":"v"}}`, true,
			map[string]any{"apiVersion": "x/v1", "kind": "Widget", "metadata": map[string]any{"name": "w", "managedFields": []any{}}, "data": map[string]any{"k": "v"}}},
		{`{"metadata":{"name":"w"}}`, false, map[string]any{"apiVersion": "x/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"}}},
	} {
		raw := []byte(tc.raw)
		kept, err := newLiveItem(raw).liveJSON("x/v1", "Widget", tc.whole, false)
		if err != nil {
			t.Fatalf("%s: %v", tc.raw, err)
		}
		clear(raw)
		var got map[string]any
		if err := json.Unmarshal(kept, &got); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: kept %s (%v), want %v", tc.raw, kept, err, tc.want)
		}
	}
}
