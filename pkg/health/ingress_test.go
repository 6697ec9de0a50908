package health

import "testing"

func TestIngressHealth(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "address published",
			manifest: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
status: {loadBalancer: {ingress: [{ip: 203.0.113.10}, {hostname: lb.example.com}]}}`,
			status:  Healthy,
			message: "status.loadBalancer.ingress: 203.0.113.10, lb.example.com",
		},
		{
			name: "no ingress controller published an address",
			manifest: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec: {rules: [{host: web.example.com}]}`,
			status:  Progressing,
			message: noAddress,
			facts:   []string{noAddress},
		},
		{
			name: "empty list",
			manifest: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
status: {loadBalancer: {ingress: []}}`,
			status:  Progressing,
			message: noAddress,
			facts:   []string{noAddress},
		},
		{
			name: "extensions Ingress follows the same rule",
			manifest: `
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: web}
status: {loadBalancer: {ingress: [{ip: 203.0.113.10}]}}`,
			status:  Healthy,
			message: "status.loadBalancer.ingress: 203.0.113.10",
		},
		{
			name: "an entry with only ports still counts",
			manifest: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
status: {loadBalancer: {ingress: [{ports: [{port: 443, protocol: TCP}]}]}}`,
			status:  Healthy,
			message: "status.loadBalancer.ingress is set",
		},
	})
}
