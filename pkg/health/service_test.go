package health

import "testing"

func TestServiceHealth(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "ClusterIP is healthy as it is",
			manifest: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: ClusterIP}`,
			status:  Healthy,
			message: "spec.type ClusterIP",
		},
		{
			name: "no type means ClusterIP",
			manifest: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}`,
			status:  Healthy,
			message: "spec.type ClusterIP",
		},
		{
			name: "LoadBalancer with an address",
			manifest: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: LoadBalancer}
status: {loadBalancer: {ingress: [{ip: 203.0.113.10}]}}`,
			status:  Healthy,
			message: "status.loadBalancer.ingress: 203.0.113.10",
		},
		{
			name: "LoadBalancer without an address",
			manifest: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: LoadBalancer}`,
			status:  Progressing,
			message: noAddress,
			facts:   []string{noAddress},
		},
		{
			name: "a Service of another group is not this rule's",
			manifest: `
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: web}
spec: {type: LoadBalancer}`,
			noRule: true,
		},
	})
}
