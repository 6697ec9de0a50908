package health

import "testing"

func TestReplicaSetHealth(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "all available",
			manifest: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f7c, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2}`,
			status:  Healthy,
			message: "status.availableReplicas 2 of spec.replicas 2",
		},
		{
			name: "pods refused",
			manifest: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f7c, generation: 1}
spec: {replicas: 2}
status:
  observedGeneration: 1
  conditions:
  - {type: ReplicaFailure, status: "True", reason: FailedCreate, message: 'pods "web-5d8f7c-x" is forbidden: exceeded quota'}`,
			status:  Degraded,
			message: `condition ReplicaFailure FailedCreate: pods "web-5d8f7c-x" is forbidden: exceeded quota`,
			facts:   []string{"status.readyReplicas 0 of spec.replicas 2"},
		},
		{
			name: "waiting for pods",
			manifest: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f7c, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, readyReplicas: 1, availableReplicas: 1}`,
			status:  Progressing,
			message: "status.availableReplicas 1 of spec.replicas 2",
			facts:   []string{"status.readyReplicas 1 of spec.replicas 2"},
		},
		{
			name: "spec not observed",
			manifest: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f7c, generation: 3}
spec: {replicas: 0}
status: {observedGeneration: 2}`,
			status:  Progressing,
			message: "status.observedGeneration 2 < metadata.generation 3",
			facts:   []string{"status.observedGeneration 2 < metadata.generation 3"},
		},
	})
}
