package health

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// hpaWaiting is the message of an HPA that has not yet scaled or said why.
const hpaWaiting = "no condition says it scales or fails: waiting to autoscale"

// hpaCondition is a condition type and reason pair of an HPA.
type hpaCondition struct{ Type, Reason string }

// hpaDegraded and hpaHealthy are gitops-engine's tables: the first
// condition (in status order) found in either decides.
var (
	hpaDegraded = []hpaCondition{
		{"AbleToScale", "FailedGetScale"},
		{"AbleToScale", "FailedUpdateScale"},
		{"ScalingActive", "FailedGetResourceMetric"},
		{"ScalingActive", "InvalidSelector"},
	}
	hpaHealthy = []hpaCondition{
		{"AbleToScale", "SucceededRescale"},
		{"ScalingLimited", "DesiredWithinRange"},
		{"ScalingLimited", "TooFewReplicas"},
		{"ScalingLimited", "TooManyReplicas"},
	}
)

// hpaHealth reads a HorizontalPodAutoscaler's status.conditions as Argo CD
// does (autoscaling/v2 and v2beta*; v1 keeps them in an annotation, which
// is read too): the first condition that is a known failure is Degraded,
// the first known success Healthy, and without either it is Progressing.
// Read untyped: the versions share the condition shape.
func hpaHealth(obj *unstructured.Unstructured) Result {
	conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	if len(conditions) == 0 {
		conditions = v1HPAConditions(obj)
	}
	for _, c := range conditions {
		m, _ := c.(map[string]any)
		typ, _ := m["type"].(string)
		reason, _ := m["reason"].(string)
		msg, _ := m["message"].(string)
		line := fmt.Sprintf("condition %s %s: %s", typ, reason, msg)
		for _, d := range hpaDegraded {
			if d.Type == typ && d.Reason == reason {
				return Result{Status: Degraded, Message: line, Facts: []string{line}}
			}
		}
		for _, h := range hpaHealthy {
			if h.Type == typ && h.Reason == reason {
				return Result{Status: Healthy, Message: line}
			}
		}
	}
	return Result{Status: Progressing, Message: hpaWaiting}
}
