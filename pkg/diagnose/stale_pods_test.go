package diagnose

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckStalePods(t *testing.T) {
	app := testApp("shop", func(a *argocd.Application) {
		a.Status.Resources = []argocd.ResourceStatus{
			resource("apps", "Deployment", "shop", "web"),
			resource("apps", "StatefulSet", "shop", "db"),
		}
	})
	grace := int64(30)
	pod := func(name, node string, deleted time.Duration, owner metav1.OwnerReference, finalizers ...string) corev1.Pod {
		p := corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Finalizers: finalizers,
				DeletionTimestamp: timeAgo(deleted), DeletionGracePeriodSeconds: &grace},
			Spec: corev1.PodSpec{NodeName: node},
		}
		if owner.Kind != "" {
			p.OwnerReferences = []metav1.OwnerReference{owner}
		}
		return p
	}
	rs := metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-5d8f7c"}
	sts := metav1.OwnerReference{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "db"}
	other := metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "unrelated-6f7"}
	nodes := []corev1.Node{{
		ObjectMeta: metav1.ObjectMeta{Name: "node-a"},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionUnknown,
			Reason: "NodeStatusUnknown", LastTransitionTime: *timeAgo(time.Hour)}}},
	}}
	snap := func(pods ...corev1.Pod) *snapshot.Snapshot {
		s := testSnapshot(app)
		s.Read[snapshot.Pods], s.Pods, s.Nodes, s.Read[snapshot.Nodes] = true, pods, nodes, true
		return s
	}
	runCheckCases(t, "stale-pods", []checkCase{
		{
			name: "pods on a NotReady node and on a vanished node",
			snapshot: snap(
				pod("web-5d8f7c-abcde", "node-a", 10*time.Minute, rs),
				pod("db-0", "node-gone", 20*time.Minute, sts, "example.com/hold"),
			),
			want: []string{"stale-pods shop"},
			wantText: []string{
				"2 pods of the app's workloads are stuck Terminating past their grace period: shop/db-0 (node node-gone does not exist), shop/web-5d8f7c-abcde (node node-a Ready=Unknown since 2026-11-25T09:00:00Z (NodeStatusUnknown))",
				"Pod shop/web-5d8f7c-abcde of ReplicaSet web-5d8f7c of Deployment web: metadata.deletionTimestamp 2026-11-25T09:50:00Z (grace 30s, terminating for 10m), metadata.finalizers []",
				"Pod shop/db-0 of StatefulSet db", "metadata.finalizers [example.com/hold]",
				"kubectl -n shop delete pods db-0 --grace-period=0 --force\nkubectl -n shop delete pods web-5d8f7c-abcde --grace-period=0 --force",
				`kubectl -n shop patch pods db-0 --type json`,
			},
			wantFixes: []string{"force-delete-pods", "remove-finalizers"},
		},
		{
			name:     "within deletionTimestamp plus grace: silent",
			snapshot: snap(pod("web-5d8f7c-abcde", "node-a", 20*time.Second, rs)),
			want:     []string{},
		},
		{
			name:     "pod of an unmanaged workload in the same namespace: silent",
			snapshot: snap(pod("unrelated-6f7-xyz", "node-a", time.Hour, other)),
			want:     []string{},
		},
		{
			name:     "running pod: silent",
			snapshot: snap(corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-5d8f7c-abcde", Namespace: "shop", OwnerReferences: []metav1.OwnerReference{rs}}}),
			want:     []string{},
		},
		{
			name: "ReplicaSet read live links the pod to its Deployment",
			snapshot: withLiveObjects(snap(pod("api-x-1", "node-a", time.Hour, metav1.OwnerReference{Kind: "ReplicaSet", Name: "api-x"})),
				testObject("apps/v1", "ReplicaSet", "shop", "api-x", func(u *unstructured.Unstructured) {
					u.SetOwnerReferences([]metav1.OwnerReference{{Kind: "Deployment", Name: "web"}})
				})),
			want:     []string{"stale-pods shop"},
			wantText: []string{"of ReplicaSet api-x of Deployment web"},
		},
		{
			name: "node that is Ready, and node without a Ready condition",
			snapshot: func() *snapshot.Snapshot {
				s := snap(pod("web-5d8f7c-abcde", "node-b", time.Hour, rs), pod("db-0", "node-c", time.Hour, sts))
				s.Nodes = append(s.Nodes,
					corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-b"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{
						{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse},
						{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastTransitionTime: *timeAgo(2 * time.Hour)}}}},
					corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-c"}})
				return s
			}(),
			want:     []string{"stale-pods shop"},
			wantText: []string{"shop/db-0 (node node-c has no Ready condition), shop/web-5d8f7c-abcde (node node-b Ready=True since 2026-11-25T08:00:00Z)"},
		},
		{
			name: "nodes not read",
			snapshot: func() *snapshot.Snapshot {
				s := snap(pod("db-0", "node-a", time.Hour, sts))
				s.Nodes, s.Read[snapshot.Nodes] = nil, false
				return s
			}(),
			want:     []string{"stale-pods shop"},
			wantText: []string{"node node-a (nodes not read)"},
		},
		{
			name: "pods not read: silent",
			snapshot: func() *snapshot.Snapshot {
				s := snap(pod("db-0", "node-a", time.Hour, sts))
				s.Read[snapshot.Pods] = false
				return s
			}(),
			want: []string{},
		},
	})
}
