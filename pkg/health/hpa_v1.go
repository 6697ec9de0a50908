package health

import (
	"encoding/json"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// hpaV1ConditionsAnnotation is where autoscaling/v1 objects carry the
// conditions of the v2 API.
const hpaV1ConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions"

// v1HPAConditions reads the conditions an autoscaling/v1 HPA keeps in an
// annotation; nil when it has none or they do not decode.
func v1HPAConditions(obj *unstructured.Unstructured) []any {
	raw := obj.GetAnnotations()[hpaV1ConditionsAnnotation]
	if raw == "" {
		return nil
	}
	var out []any
	if json.Unmarshal([]byte(raw), &out) != nil {
		return nil
	}
	return out
}
