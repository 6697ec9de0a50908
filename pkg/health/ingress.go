package health

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// ingressHealth: an Ingress is Healthy once its controller has published a
// load balancer address. Read untyped: networking.k8s.io and extensions
// Ingresses differ in spec but share status.loadBalancer.ingress.
func ingressHealth(obj *unstructured.Unstructured) Result {
	return loadBalancerHealth(obj)
}
