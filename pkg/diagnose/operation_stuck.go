package diagnose

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// retryLoopCount is the retry count from which an operation counts as
// looping.
const retryLoopCount = 3

// waitingForPattern matches gitops-engine's running message:
// "waiting for healthy state of apps/Deployment/web and 2 more resources".
var waitingForPattern = regexp.MustCompile(`waiting for (healthy state of|completion of hook|deletion of) ([^/\s]*)/([^/\s]+)/([^\s]+)`)

// checkOperationStuck reports operations that run longer than StuckAfter,
// or loop on retries.
func checkOperationStuck(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		op := app.Status.OperationState
		if op == nil || (op.Phase != argocd.PhaseRunning && op.Phase != argocd.PhaseTerminating) {
			continue
		}
		long := !op.StartedAt.IsZero() && olderThan(s.Now, op.StartedAt.Time, s.StuckAfter)
		retrying := op.RetryCount >= retryLoopCount || strings.Contains(op.Message, "Retrying attempt")
		if !long && !retrying {
			continue
		}
		findings = append(findings, operationStuckFinding(s, app, long, retrying))
	}
	return findings
}

func operationStuckFinding(s *snapshot.Snapshot, app *argocd.Application, long, retrying bool) report.Finding {
	op := app.Status.OperationState
	started := op.StartedAt.Time
	f := report.Finding{
		ID:       "operation-stuck",
		Severity: report.SeverityWarning,
		Object:   appRef(app),
		Docs:     report.DocsURL("operation-stuck"),
	}
	if !op.StartedAt.IsZero() {
		f.Since = &started
	}
	var why []string
	if long {
		why = append(why, fmt.Sprintf("has been %s for %s", op.Phase, formatAge(s.Now.Sub(started))))
	}
	if retrying {
		why = append(why, fmt.Sprintf("is retrying (retryCount %d)", op.RetryCount))
	}
	f.Summary = "Sync operation " + strings.Join(why, " and ")
	f.Evidence = append(f.Evidence,
		fmt.Sprintf("status.operationState.phase %s, startedAt %s", op.Phase, startedText(op.StartedAt.Time)),
		fmt.Sprintf("status.operationState.retryCount %d", op.RetryCount))
	if op.Message != "" {
		f.Evidence = append(f.Evidence, "status.operationState.message: "+op.Message)
	}
	if op.SyncResult != nil {
		for _, r := range op.SyncResult.Resources {
			if r.HookPhase == argocd.PhaseSucceeded || (r.HookPhase == "" && r.Status == "Synced") {
				continue
			}
			f.Evidence = append(f.Evidence, resourceResultEvidence(r))
		}
	}
	if m := waitingForPattern.FindStringSubmatch(op.Message); m != nil {
		group, kind, name := m[2], m[3], m[4]
		label := kind + "/" + name
		if group != "" {
			label = kind + "." + group + "/" + name
		}
		f.Summary += fmt.Sprintf(", waiting for %s %s", m[1], label)
		if r, ok := findResource(app, group, kind, name); ok {
			if obj, known := s.LiveObject(app, r); known {
				ref := report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
				if obj == nil {
					f.Evidence = append(f.Evidence, fmt.Sprintf("%s does not exist", ref))
				} else {
					facts := liveStateFacts(obj)
					for _, fact := range facts {
						f.Evidence = append(f.Evidence, fmt.Sprintf("%s: %s", ref, fact))
					}
					if len(facts) > 0 {
						f.Summary += " (" + facts[0] + ")"
					}
				}
			}
		}
	}
	if _, line, read := controllerReadiness(s); read {
		f.Evidence = append(f.Evidence, line)
	}
	if op.Phase == argocd.PhaseRunning {
		// As `argocd app terminate-op` does; the test binds it to the
		// operation still Running.
		f.Fixes = append(f.Fixes, report.NewFix("terminate-operation", "low",
			"terminate the running operation, as `argocd app terminate-op` does (the controller stops it and marks it Failed); fix what it waits for before syncing again",
			jsonPatchAction(argocd.ApplicationsResource, appRef(app), []map[string]any{
				{"op": "test", "path": "/status/operationState/phase", "value": argocd.PhaseRunning},
				{"op": "replace", "path": "/status/operationState/phase", "value": "Terminating"},
			})))
	} else {
		f.Summary += "; it is already Terminating, so the controller is not finishing it"
	}
	return f
}

// resourceResultEvidence renders one syncResult entry.
func resourceResultEvidence(r argocd.ResourceResult) string {
	ref := report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
	parts := []string{}
	if r.Status != "" {
		parts = append(parts, "status "+r.Status)
	}
	if r.HookPhase != "" {
		parts = append(parts, "hookPhase "+r.HookPhase)
	}
	if r.SyncPhase != "" {
		parts = append(parts, "syncPhase "+r.SyncPhase)
	}
	line := fmt.Sprintf("syncResult %s: %s", ref, strings.Join(parts, ", "))
	if r.Message != "" {
		line += ": " + r.Message
	}
	return line
}

// findResource finds the status.resources entry of group/kind/name.
func findResource(app *argocd.Application, group, kind, name string) (argocd.ResourceStatus, bool) {
	for _, r := range app.Status.Resources {
		if r.Group == group && r.Kind == kind && r.Name == name {
			return r, true
		}
	}
	return argocd.ResourceStatus{}, false
}

// liveStateFacts lists the fields of a live object that decide its
// built-in health, worst first.
func liveStateFacts(obj *unstructured.Unstructured) []string {
	var facts []string
	if ts := obj.GetDeletionTimestamp(); ts != nil {
		facts = append(facts, fmt.Sprintf("pending deletion since %s, finalizers %s", report.FormatTime(ts.Time), finalizers.Format(obj.GetFinalizers())))
	}
	gk := obj.GroupVersionKind().GroupKind()
	nested := func(fields ...string) int64 {
		v, _, _ := unstructured.NestedInt64(obj.Object, fields...)
		return v
	}
	switch {
	case gk.Kind == "Ingress" && gk.Group == "networking.k8s.io",
		gk.Kind == "Service" && gk.Group == "" && stringField(obj, "spec", "type") == "LoadBalancer":
		if lb, _, _ := unstructured.NestedSlice(obj.Object, "status", "loadBalancer", "ingress"); len(lb) == 0 {
			facts = append(facts, "status.loadBalancer.ingress is empty: no controller has published an address")
		}
	case gk.Group == "apps" && (gk.Kind == "Deployment" || gk.Kind == "StatefulSet"):
		want := nested("spec", "replicas")
		if _, found, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas"); !found {
			want = 1
		}
		if ready := nested("status", "readyReplicas"); ready < want {
			facts = append(facts, fmt.Sprintf("status.readyReplicas %d of spec.replicas %d", ready, want))
		}
		if updated := nested("status", "updatedReplicas"); updated < want {
			facts = append(facts, fmt.Sprintf("status.updatedReplicas %d of spec.replicas %d", updated, want))
		}
	case gk.Group == "apps" && gk.Kind == "DaemonSet":
		desired := nested("status", "desiredNumberScheduled")
		if avail := nested("status", "numberAvailable"); avail < desired {
			facts = append(facts, fmt.Sprintf("status.numberAvailable %d of desiredNumberScheduled %d", avail, desired))
		}
	case gk.Group == "" && gk.Kind == "PersistentVolumeClaim":
		if phase := stringField(obj, "status", "phase"); phase != "Bound" {
			facts = append(facts, "status.phase "+phase)
		}
	case gk.Group == "batch" && gk.Kind == "Job":
		if nested("status", "succeeded") == 0 {
			facts = append(facts, fmt.Sprintf("status.active %d, status.failed %d, not complete", nested("status", "active"), nested("status", "failed")))
		}
	}
	if gen, observed := obj.GetGeneration(), nested("status", "observedGeneration"); observed != 0 && observed < gen {
		facts = append(facts, fmt.Sprintf("status.observedGeneration %d < metadata.generation %d", observed, gen))
	}
	return facts
}

func stringField(obj *unstructured.Unstructured, fields ...string) string {
	v, _, _ := unstructured.NestedString(obj.Object, fields...)
	return v
}

// startedText renders a start time that Argo CD may have left unset.
func startedText(t time.Time) string {
	if t.IsZero() {
		return "(not set)"
	}
	return report.FormatTime(t)
}
