package health

import "testing"

func TestStatefulSetHealth(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "rolled out",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 3}
status: {observedGeneration: 1, replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentRevision: db-1, updateRevision: db-1}`,
			status:  Healthy,
			message: "status.currentRevision db-1, status.readyReplicas 3 of spec.replicas 3",
		},
		{
			name: "pods not ready",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 3}
status: {observedGeneration: 1, replicas: 3, readyReplicas: 1, updatedReplicas: 3}`,
			status:  Progressing,
			message: "status.readyReplicas 1 of spec.replicas 3",
			facts:   []string{"status.readyReplicas 1 of spec.replicas 3"},
		},
		{
			name: "never observed by the controller",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 1}
status: {replicas: 1, readyReplicas: 1, updatedReplicas: 1}`,
			status:  Progressing,
			message: "status.observedGeneration not set: the controller has not observed the StatefulSet yet",
		},
		{
			name: "spec not yet observed",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 3}
spec: {replicas: 1}
status: {observedGeneration: 2, replicas: 1, readyReplicas: 1, updatedReplicas: 1}`,
			status:  Progressing,
			message: "status.observedGeneration 2 < metadata.generation 3",
			facts:   []string{"status.observedGeneration 2 < metadata.generation 3"},
		},
		{
			name: "rolling update in progress",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 1, currentRevision: db-1, updateRevision: db-2}`,
			status:  Progressing,
			message: "status.updateRevision db-2 differs from status.currentRevision db-1: status.updatedReplicas 1 of spec.replicas 3",
			facts:   []string{"status.updatedReplicas 1 of spec.replicas 3"},
		},
		{
			name: "partitioned rolling update still below the partition",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 4, updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}}
status: {observedGeneration: 2, replicas: 4, readyReplicas: 4, updatedReplicas: 1}`,
			status:  Progressing,
			message: "status.updatedReplicas 1 of 2 (spec.replicas 4 above partition 2)",
			facts:   []string{"status.updatedReplicas 1 of spec.replicas 4"},
		},
		{
			name: "partitioned rolling update done up to the partition",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 4, updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}}
status: {observedGeneration: 2, replicas: 4, readyReplicas: 4, updatedReplicas: 2, currentRevision: db-1, updateRevision: db-2}`,
			status:  Healthy,
			message: "status.updatedReplicas 2, status.readyReplicas 4 of spec.replicas 4",
			facts:   []string{"status.updatedReplicas 2 of spec.replicas 4"},
		},
		{
			name: "OnDelete is healthy once ready, whatever the revisions",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 2, updateStrategy: {type: OnDelete}}
status: {observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 0, currentRevision: db-1, updateRevision: db-2}`,
			status:  Healthy,
			message: "updateStrategy OnDelete, status.readyReplicas 2 of spec.replicas 2",
			facts:   []string{"status.updatedReplicas 0 of spec.replicas 2"},
		},
	})
}
