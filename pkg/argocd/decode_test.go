package argocd

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const appFixture = `{"apiVersion":"argoproj.io/v1alpha1","kind":"Application",
"metadata":{"name":"web","namespace":"argocd","labels":{"team":"a"},"finalizers":["resources-finalizer.argocd.argoproj.io"],"deletionTimestamp":"2026-01-02T03:04:05Z"},
"spec":{"project":"p","source":{"repoURL":"https://git.example.com/a.git","path":"web"},"destination":{"server":"https://kubernetes.default.svc","namespace":"a"},"syncPolicy":{"automated":{"prune":true}}},
"status":{"sync":{"status":"OutOfSync","revision":"abc"},"health":{"status":"Degraded"},
"conditions":[{"type":"SyncError","message":"boom","lastTransitionTime":"2026-01-02T03:04:05Z"}],
"resources":[{"group":"apps","version":"v1","kind":"Deployment","namespace":"a","name":"web","status":"OutOfSync","health":{"status":"Degraded"}}],
"operationState":{"phase":"Failed","message":"failed","startedAt":"2026-01-02T03:04:05Z","syncResult":{"revision":"abc","resources":[{"group":"apps","version":"v1","kind":"Deployment","namespace":"a","name":"web","status":"SyncFailed"}]}},
"history":[{"id":1,"revision":"abc","deployedAt":"2026-01-02T03:04:05Z"}]},
"operation":{"sync":{"revision":"abc"}}}`

// The JSON path must decode exactly what the unstructured path decodes.
func TestDecodeApplicationJSONMatchesUnstructured(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(appFixture), &m); err != nil {
		t.Fatal(err)
	}
	want, err := DecodeApplication(&unstructured.Unstructured{Object: m})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeApplicationJSON([]byte(appFixture))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JSON decode differs from unstructured decode:\n got %+v\nwant %+v", got, want)
	}
	if got.Status.OperationState == nil || got.Status.OperationState.Phase != PhaseFailed || got.DeletionTimestamp == nil {
		t.Errorf("fields lost: %+v", got)
	}
}

func TestDecodeApplicationJSONNamesTheBadApp(t *testing.T) {
	_, err := DecodeApplicationJSON([]byte(`{"metadata":{"name":"web","namespace":"argocd"},"spec":{"project":5}}`))
	if err == nil || !strings.Contains(err.Error(), "argocd/web") {
		t.Errorf("err = %v, want a decode error naming argocd/web", err)
	}
}
