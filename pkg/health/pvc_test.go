package health

import "testing"

func TestPVCHealth(t *testing.T) {
	pvc := func(phase string) string {
		return "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nstatus: {phase: " + phase + "}"
	}
	runRuleCases(t, []ruleCase{
		{name: "bound", manifest: pvc("Bound"), status: Healthy, message: "status.phase Bound"},
		{name: "pending", manifest: pvc("Pending"), status: Progressing, message: "status.phase Pending", facts: []string{"status.phase Pending"}},
		{name: "lost", manifest: pvc("Lost"), status: Degraded, message: "status.phase Lost", facts: []string{"status.phase Lost"}},
		{name: "unknown phase", manifest: pvc("Resizing"), status: Unknown, message: "status.phase Resizing", facts: []string{"status.phase Resizing"}},
		{
			name:     "no phase yet",
			manifest: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}",
			status:   Unknown, message: "status.phase is not set", facts: []string{"status.phase is not set"},
		},
	})
}
