package health

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// serviceHealth: a Service of type LoadBalancer is Healthy once an address
// is published; every other Service is Healthy as it is.
func serviceHealth(obj *unstructured.Unstructured) Result {
	typ, _, _ := unstructured.NestedString(obj.Object, "spec", "type")
	if typ == "LoadBalancer" {
		return loadBalancerHealth(obj)
	}
	if typ == "" {
		typ = "ClusterIP"
	}
	return Result{Status: Healthy, Message: "spec.type " + typ}
}
