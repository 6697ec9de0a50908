package diagnose

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

const rev = "2e8f6a4c0b9d7e5f3a1c8b6d4f2e0a9c7b5d3f1e"

func syncedApp(mutate ...func(*argocd.Application)) argocd.Application {
	return testApp("shop", append([]func(*argocd.Application){func(a *argocd.Application) {
		a.UID = "app-uid"
		a.Status.Sync = argocd.SyncStatus{Status: "OutOfSync", Revision: rev}
		a.Status.OperationState = &argocd.OperationState{Phase: "Succeeded", StartedAt: *timeAgo(11 * time.Minute), FinishedAt: timeAgo(10 * time.Minute),
			SyncResult: &argocd.SyncResult{Revision: rev}}
		r := resource("apps", "Deployment", "shop", "web")
		r.Status = "OutOfSync"
		a.Status.Resources = []argocd.ResourceStatus{r}
	}}, mutate...)...)
}

func managed(manager, op, sub string, ago time.Duration, fields string) metav1.ManagedFieldsEntry {
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationType(op), Subresource: sub,
		Time: timeAgo(ago), FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields)}
}

// scaledDeployment was applied client-side with 1 replica and 0.5 CPU;
// a scaler then set 3 replicas through the scale subresource.
func scaledDeployment(scaler string) *unstructured.Unstructured {
	return testObject("apps/v1", "Deployment", "shop", "web", func(u *unstructured.Unstructured) {
		u.SetAnnotations(map[string]string{lastAppliedAnnotation: `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"web","image":"web:1","resources":{"requests":{"cpu":"0.5"}}}]}}}}`})
		_ = unstructured.SetNestedField(u.Object, int64(3), "spec", "replicas")
		_ = unstructured.SetNestedSlice(u.Object, []any{map[string]any{"name": "web", "image": "web:1", "resources": map[string]any{"requests": map[string]any{"cpu": "500m"}}}},
			"spec", "template", "spec", "containers")
		u.SetManagedFields([]metav1.ManagedFieldsEntry{
			managed("argocd-controller", "Update", "", 10*time.Minute, `{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:resources":{"f:requests":{"f:cpu":{}}}}}}}}}`),
			managed(scaler, "Update", "scale", 5*time.Minute, `{"f:spec":{"f:replicas":{}}}`),
		})
	})
}

func TestCheckOutOfSyncAfterSync(t *testing.T) {
	snap := func(app argocd.Application, obj *unstructured.Unstructured) *snapshot.Snapshot {
		return withLiveObjects(testSnapshot(app), obj)
	}
	runCheckCases(t, "outofsync-after-sync", []checkCase{
		{
			name:     "replicas moved by a scaler through the scale subresource",
			snapshot: snap(syncedApp(), scaledDeployment("hpa-test")),
			want:     []string{"outofsync-after-sync shop"},
			wantText: []string{
				"app is OutOfSync although its last sync of revision 2e8f6a4c0b succeeded at 2026-11-25T09:50:00Z: Deployment web changed in the cluster after Argo CD applied them",
				"/spec/replicas: applied 1, live 3; owned by field manager hpa-test since 2026-11-25T09:55:00Z",
				`/spec/template/spec/containers/0/resources/requests/cpu: applied "0.5", live "500m"; quantity normalised by the API server`,
				`{"op":"test","path":"/spec/ignoreDifferences","value":null}`,
				`"managedFieldsManagers":["hpa-test"]`,
				`{"op":"test","path":"/spec/syncPolicy","value":null},{"op":"add","path":"/spec/syncPolicy","value":{"syncOptions":["RespectIgnoreDifferences=true"]}}`,
			},
			wantFixes: []string{"ignore-differences"},
		},
		{
			name: "a generic manager (kubectl scale) gets jsonPointers, appended to existing entries and options",
			snapshot: snap(syncedApp(func(a *argocd.Application) {
				a.Spec.IgnoreDifferences = []argocd.ResourceIgnoreDifferences{{Group: "", Kind: "Secret", JSONPointers: []string{"/data"}}}
				a.Spec.SyncPolicy = &argocd.SyncPolicy{SyncOptions: []string{"CreateNamespace=true"}}
			}), scaledDeployment("kubectl")),
			want: []string{"outofsync-after-sync shop"},
			wantText: []string{
				`{"op":"test","path":"/spec/ignoreDifferences","value":[{"kind":"Secret","jsonPointers":["/data"]}]}`,
				`{"kind":"Secret","jsonPointers":["/data"]},{"group":"apps","kind":"Deployment","name":"web","namespace":"shop","jsonPointers":["/spec/replicas"]}`,
				`{"op":"add","path":"/spec/syncPolicy/syncOptions","value":["CreateNamespace=true","RespectIgnoreDifferences=true"]}`,
			},
		},
		{
			name: "ignoreDifferences already cover the replicas: only the normalised quantity is left, with nothing to ignore",
			snapshot: snap(syncedApp(func(a *argocd.Application) {
				a.Spec.IgnoreDifferences = []argocd.ResourceIgnoreDifferences{{Group: "apps", Kind: "Deployment", JSONPointers: []string{"/spec/replicas"}}}
			}), scaledDeployment("kube-controller-manager")),
			want:      []string{"outofsync-after-sync shop"},
			notText:   []string{"/spec/replicas"},
			wantFixes: []string{},
		},
		{
			name:     "Synced app: silent",
			snapshot: snap(syncedApp(func(a *argocd.Application) { a.Status.Sync.Status = "Synced"; a.Status.Resources[0].Status = "Synced" }), scaledDeployment("hpa-test")),
			want:     []string{},
		},
		{
			name:     "OutOfSync for a new revision (a change in Git): silent",
			snapshot: snap(syncedApp(func(a *argocd.Application) { a.Status.Sync.Revision = "ffff" }), scaledDeployment("hpa-test")),
			want:     []string{},
		},
		{
			name:     "last sync failed: silent",
			snapshot: snap(syncedApp(func(a *argocd.Application) { a.Status.OperationState.Phase = "Failed" }), scaledDeployment("hpa-test")),
			want:     []string{},
		},
		{
			name: "server-side apply: a field another manager took after the sync",
			snapshot: snap(syncedApp(), testObject("apps/v1", "Deployment", "shop", "web", func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(u.Object, "Zm9v", "spec", "template", "metadata", "annotations", "ca")
				u.SetManagedFields([]metav1.ManagedFieldsEntry{
					managed("argocd-controller", "Apply", "", 10*time.Minute, `{"f:spec":{"f:replicas":{}}}`),
					managed("cert-injector", "Update", "", 2*time.Minute, `{"f:spec":{"f:template":{"f:metadata":{"f:annotations":{"f:ca":{}}}}}}`),
					managed("kube-controller-manager", "Update", "status", 2*time.Minute, `{"f:status":{"f:replicas":{}}}`),
				})
			})),
			want:     []string{"outofsync-after-sync shop"},
			wantText: []string{"/spec/template/metadata/annotations/ca: applied (unset), live \"Zm9v\"; owned by field manager cert-injector", "managedFieldsManagers\":[\"cert-injector\"]"},
			notText:  []string{"/status"},
		},
	})
}
