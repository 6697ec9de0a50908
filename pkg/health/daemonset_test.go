package health

import "testing"

func TestDaemonSetHealth(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "every node runs an available, updated pod",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3}`,
			status:  Healthy,
			message: "status.numberAvailable 3 of desiredNumberScheduled 3",
		},
		{
			name: "pods not available",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 1}`,
			status:  Progressing,
			message: "status.numberAvailable 1 of desiredNumberScheduled 3",
			facts:   []string{"status.numberAvailable 1 of desiredNumberScheduled 3"},
		},
		{
			name: "pods not yet updated",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 3}`,
			status:  Progressing,
			message: "status.updatedNumberScheduled 1 of desiredNumberScheduled 3",
		},
		{
			name: "spec not yet observed",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 2}
status: {observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3}`,
			status:  Progressing,
			message: "status.observedGeneration 1 < metadata.generation 2",
			facts:   []string{"status.observedGeneration 1 < metadata.generation 2"},
		},
		{
			name: "OnDelete is healthy once observed",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 2}
spec: {updateStrategy: {type: OnDelete}}
status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 0, numberAvailable: 2}`,
			status:  Healthy,
			message: "updateStrategy OnDelete, status.updatedNumberScheduled 0 of desiredNumberScheduled 3",
			facts:   []string{"status.numberAvailable 2 of desiredNumberScheduled 3"},
		},
		{
			name: "no node to run on",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1}`,
			status:  Healthy,
			message: "status.numberAvailable 0 of desiredNumberScheduled 0",
		},
	})
}
