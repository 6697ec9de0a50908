package health

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// noAddress is why an Ingress or a LoadBalancer Service is not healthy.
const noAddress = "status.loadBalancer.ingress is empty: no controller has published an address"

// loadBalancerHealth is Healthy once a controller has published an address
// in status.loadBalancer.ingress, Progressing until then. Ingresses and
// LoadBalancer Services share the field and the rule.
func loadBalancerHealth(obj *unstructured.Unstructured) Result {
	entries, _, _ := unstructured.NestedSlice(obj.Object, "status", "loadBalancer", "ingress")
	if len(entries) == 0 {
		return Result{Status: Progressing, Message: noAddress, Facts: []string{noAddress}}
	}
	var addresses []string
	for _, e := range entries {
		m, _ := e.(map[string]any)
		for _, field := range []string{"ip", "hostname"} {
			if v, _ := m[field].(string); v != "" {
				addresses = append(addresses, v)
			}
		}
	}
	msg := "status.loadBalancer.ingress is set"
	if len(addresses) > 0 {
		msg = "status.loadBalancer.ingress: " + strings.Join(addresses, ", ")
	}
	return Result{Status: Healthy, Message: msg}
}
