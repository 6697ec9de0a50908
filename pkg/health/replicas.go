package health

import "fmt"

// desiredReplicas is spec.replicas, or the API server's default of 1 when
// the object does not say.
func desiredReplicas(replicas *int32) int32 {
	if replicas == nil {
		return 1
	}
	return *replicas
}

// replicaFacts compares a workload's ready and updated replicas with
// spec.replicas.
func replicaFacts(want, ready, updated int32) []string {
	var facts []string
	if ready < want {
		facts = append(facts, readyFact(ready, want))
	}
	if updated < want {
		facts = append(facts, updatedFact(updated, want))
	}
	return facts
}

func readyFact(ready, want int32) string {
	return fmt.Sprintf("status.readyReplicas %d of spec.replicas %d", ready, want)
}

func updatedFact(updated, want int32) string {
	return fmt.Sprintf("status.updatedReplicas %d of spec.replicas %d", updated, want)
}
