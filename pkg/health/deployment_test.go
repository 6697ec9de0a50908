package health

import "testing"

func TestDeploymentHealth(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "rolled out",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3}`,
			status:  Healthy,
			message: "status.availableReplicas 3 of spec.replicas 3",
		},
		{
			name: "pods not ready",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 1, updatedReplicas: 3, availableReplicas: 1}`,
			status:  Progressing,
			message: "status.availableReplicas 1 of status.updatedReplicas 3",
			facts:   []string{"status.readyReplicas 1 of spec.replicas 3"},
		},
		{
			name: "new replicas not yet created",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 4, readyReplicas: 3, updatedReplicas: 1, availableReplicas: 3}`,
			status:  Progressing,
			message: "status.updatedReplicas 1 of spec.replicas 3",
			facts:   []string{"status.updatedReplicas 1 of spec.replicas 3"},
		},
		{
			name: "old replicas still terminating",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 3, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2}`,
			status:  Progressing,
			message: "status.replicas 3 > status.updatedReplicas 2: old replicas are pending termination",
		},
		{
			name: "paused is Suspended whatever its replicas",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 3, paused: true}
status: {replicas: 3, readyReplicas: 1, updatedReplicas: 1}`,
			status:  Suspended,
			message: "spec.paused is true",
			facts:   []string{"status.readyReplicas 1 of spec.replicas 3", "status.updatedReplicas 1 of spec.replicas 3"},
		},
		{
			name: "progress deadline exceeded",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, generation: 1}
spec: {replicas: 1}
status:
  observedGeneration: 1
  replicas: 1
  updatedReplicas: 1
  conditions:
  - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: ReplicaSet "web-5d8f7c" has timed out progressing.}`,
			status:  Degraded,
			message: `condition Progressing ProgressDeadlineExceeded: ReplicaSet "web-5d8f7c" has timed out progressing.`,
			facts:   []string{"status.readyReplicas 0 of spec.replicas 1"},
		},
		{
			name: "spec not yet observed",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, generation: 4}
spec: {replicas: 2}
status: {observedGeneration: 3, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2}`,
			status:  Progressing,
			message: "status.observedGeneration 3 < metadata.generation 4",
			facts:   []string{"status.observedGeneration 3 < metadata.generation 4"},
		},
		{
			name: "no spec.replicas means the default of 1",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {}`,
			status:  Progressing,
			message: "status.updatedReplicas 0 of spec.replicas 1",
			facts:   []string{"status.readyReplicas 0 of spec.replicas 1", "status.updatedReplicas 0 of spec.replicas 1"},
		},
		{
			name: "scaled to zero",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, generation: 3}
spec: {replicas: 0}
status: {observedGeneration: 3}`,
			status:  Healthy,
			message: "status.availableReplicas 0 of spec.replicas 0",
		},
	})
}
