package health

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNodeReady(t *testing.T) {
	since := metav1.NewTime(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	node := func(conditions ...corev1.NodeCondition) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-a"}, Status: corev1.NodeStatus{Conditions: conditions}}
	}
	ready := func(status corev1.ConditionStatus, reason string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: corev1.NodeReady, Status: status, Reason: reason, LastTransitionTime: since}
	}
	for _, tt := range []struct {
		name    string
		node    *corev1.Node
		ok      bool
		status  Status
		message string
	}{
		{"Ready", node(ready(corev1.ConditionTrue, "KubeletReady")), true, Healthy, "Ready=True since 2026-11-25T09:00:00Z (KubeletReady)"},
		{"NotReady", node(corev1.NodeCondition{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse}, ready(corev1.ConditionFalse, "KubeletNotReady")),
			true, Degraded, "Ready=False since 2026-11-25T09:00:00Z (KubeletNotReady)"},
		{"kubelet silent", node(ready(corev1.ConditionUnknown, "NodeStatusUnknown")), true, Unknown, "Ready=Unknown since 2026-11-25T09:00:00Z (NodeStatusUnknown)"},
		{"no reason", node(ready(corev1.ConditionTrue, "")), true, Healthy, "Ready=True since 2026-11-25T09:00:00Z"},
		{"no Ready condition", node(), false, Unknown, "no Ready condition"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NodeReady(tt.node)
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v", ok, tt.ok)
			}
			checkResult(t, got, tt.status, tt.message, nil)
		})
	}
}
