package diagnose

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/health"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// Hook annotations.
const (
	hookAnnotation             = "argocd.argoproj.io/hook"
	hookDeletePolicyAnnotation = "argocd.argoproj.io/hook-delete-policy"
)

// hookRef is a hook object an operation names.
type hookRef struct {
	group, kind, namespace, name string
	// result is its syncResult entry, when the controller wrote one.
	result *argocd.ResourceResult
}

func (h hookRef) ref() report.ObjectRef {
	return report.ObjectRef{Group: h.group, Kind: h.kind, Namespace: h.namespace, Name: h.name}
}

func (h hookRef) key() snapshot.LiveKey {
	return snapshot.LiveKey{Group: h.group, Kind: h.kind, Namespace: h.namespace, Name: h.name}
}

// checkHookStuck reports operations waiting for a hook that fails or has
// waited longer than StuckAfter, and hook objects whose hook finalizer was
// left behind after the operation ended (they never finish deleting).
func checkHookStuck(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		if f, ok := hookWaitFinding(s, app); ok {
			findings = append(findings, f)
		}
		findings = append(findings, leftoverHookFinalizers(s, app)...)
	}
	return findings
}

// waitedHook is the hook a Running operation waits for, if any.
func waitedHook(app *argocd.Application) (hookRef, bool) {
	op := app.Status.OperationState
	if op == nil || (op.Phase != argocd.PhaseRunning && op.Phase != argocd.PhaseTerminating) {
		return hookRef{}, false
	}
	m := waitingForPattern.FindStringSubmatch(op.Message)
	if m == nil || m[1] != "completion of hook" {
		return hookRef{}, false
	}
	h := hookRef{group: m[2], kind: m[3], name: m[4], namespace: app.Spec.Destination.Namespace}
	if op.SyncResult != nil {
		for i, r := range op.SyncResult.Resources {
			if r.Group == h.group && r.Kind == h.kind && r.Name == h.name {
				h.namespace = r.Namespace
				h.result = &op.SyncResult.Resources[i]
			}
		}
	}
	return h, true
}

// hookStuck tells whether a Running operation's hook is stuck: waiting
// longer than StuckAfter, or failing already (a pod that cannot start or
// keeps crashing). It returns the facts that say so.
func hookStuck(s *snapshot.Snapshot, app *argocd.Application) (hookRef, []string, bool) {
	h, ok := waitedHook(app)
	if !ok {
		return h, nil, false
	}
	op := app.Status.OperationState
	failing := hookPodProblems(s, h)
	long := !op.StartedAt.IsZero() && olderThan(s.Now, op.StartedAt.Time, s.StuckAfter)
	return h, failing, long || len(failing) > 0
}

func hookWaitFinding(s *snapshot.Snapshot, app *argocd.Application) (report.Finding, bool) {
	h, failing, stuck := hookStuck(s, app)
	if !stuck {
		return report.Finding{}, false
	}
	op := app.Status.OperationState
	f := report.Finding{
		ID:     "hook-stuck",
		Object: appRef(app),
	}
	if !op.StartedAt.IsZero() {
		f.Since = timePtr(op.StartedAt.Time)
	}
	hookType := ""
	if h.result != nil {
		hookType = h.result.HookType
	}
	obj := hookObject(s, app, h)
	if hookType == "" && obj != nil {
		hookType = obj.GetAnnotations()[hookAnnotation]
	}
	label := h.ref().String()
	if hookType != "" {
		label = hookType + " hook " + label
	} else {
		label = "hook " + label
	}
	f.Summary = fmt.Sprintf("Sync operation %s for %s, waiting for %s", op.Phase, formatAge(s.Now.Sub(op.StartedAt.Time)), label)
	if len(failing) > 0 {
		f.Summary += " (" + failing[0] + ")"
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("status.operationState.phase %s, startedAt %s: %s", op.Phase, startedText(op.StartedAt.Time), op.Message))
	if h.result != nil {
		f.Evidence = append(f.Evidence, resourceResultEvidence(*h.result))
	}
	f.Evidence = append(f.Evidence, hookObjectEvidence(s, h, obj)...)
	if op.Phase == argocd.PhaseRunning {
		f.Fixes = append(f.Fixes, terminateOperationFix(s, app))
	}
	return f, true
}

// hookObject is the live hook object, from the hooks read, or from the
// live objects when the app lists the hook among its resources.
func hookObject(s *snapshot.Snapshot, app *argocd.Application, h hookRef) *unstructured.Unstructured {
	if obj := s.Hooks[h.key()]; obj != nil {
		return obj
	}
	if r, ok := findResource(app, h.group, h.kind, h.name); ok {
		if obj, known := s.LiveObject(app, r); known {
			return obj
		}
	}
	return nil
}

// hookObjectEvidence: the hook object's state, delete policy and
// finalizers, and its pods with their waiting or terminated reasons.
func hookObjectEvidence(s *snapshot.Snapshot, h hookRef, obj *unstructured.Unstructured) []string {
	ref := h.ref()
	if obj == nil && !s.Has(snapshot.Hooks) {
		return []string{fmt.Sprintf("%s could not be read", ref)}
	}
	if obj == nil {
		return []string{fmt.Sprintf("%s does not exist (deleted, or never created)", ref)}
	}
	policy := obj.GetAnnotations()[hookDeletePolicyAnnotation]
	if policy == "" {
		policy = "BeforeHookCreation (default)"
	}
	line := fmt.Sprintf("%s: hook-delete-policy %s, metadata.finalizers %s", ref, policy, finalizers.Format(obj.GetFinalizers()))
	if ts := obj.GetDeletionTimestamp(); ts != nil {
		line += ", deletionTimestamp " + report.FormatTime(ts.Time)
	}
	out := []string{line}
	if res, _ := health.Of(obj); res.Status != "" {
		l := fmt.Sprintf("%s: health %s", ref, res.Status)
		if res.Message != "" {
			l += ": " + res.Message
		}
		out = append(out, l)
	}
	for _, p := range hookPods(s, h) {
		out = append(out, hookPodEvidence(p))
	}
	if !s.Has(snapshot.Pods) {
		out = append(out, fmt.Sprintf("the pods of namespace %s could not be read", h.namespace))
	}
	return out
}

// hookPods are the pods of a hook: the Pod itself, or a Job's pods.
func hookPods(s *snapshot.Snapshot, h hookRef) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range s.Pods {
		p := &s.Pods[i]
		if p.Namespace != h.namespace {
			continue
		}
		switch {
		case h.group == "" && h.kind == "Pod" && p.Name == h.name,
			h.group == "batch" && h.kind == "Job" && (p.Labels["job-name"] == h.name || p.Labels["batch.kubernetes.io/job-name"] == h.name):
			out = append(out, p)
		}
	}
	return out
}

// hookPodProblems are the reasons a hook's pods cannot finish.
func hookPodProblems(s *snapshot.Snapshot, h hookRef) []string {
	var out []string
	for _, p := range hookPods(s, h) {
		for _, cs := range slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses) {
			if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "ContainerCreating" && w.Reason != "PodInitializing" {
				out = append(out, fmt.Sprintf("pod %s container %s waiting: %s", p.Name, cs.Name, w.Reason))
			}
		}
		if p.Status.Phase == corev1.PodPending {
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
					out = append(out, fmt.Sprintf("pod %s unschedulable: %s", p.Name, c.Message))
				}
			}
		}
	}
	return out
}

// hookPodEvidence renders a pod's phase and its containers' states.
func hookPodEvidence(p *corev1.Pod) string {
	parts := []string{"phase " + string(p.Status.Phase)}
	for _, cs := range slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses) {
		switch {
		case cs.State.Waiting != nil:
			parts = append(parts, fmt.Sprintf("container %s waiting (%s) %s", cs.Name, cs.State.Waiting.Reason, cs.State.Waiting.Message))
		case cs.State.Terminated != nil:
			parts = append(parts, fmt.Sprintf("container %s terminated (%s, exit code %d)", cs.Name, cs.State.Terminated.Reason, cs.State.Terminated.ExitCode))
		case cs.State.Running != nil:
			parts = append(parts, fmt.Sprintf("container %s running since %s", cs.Name, report.FormatTime(cs.State.Running.StartedAt.Time)))
		}
	}
	if p.DeletionTimestamp != nil {
		parts = append(parts, "deletionTimestamp "+report.FormatTime(p.DeletionTimestamp.Time))
	}
	return fmt.Sprintf("Pod %s/%s: %s", p.Namespace, p.Name, strings.Join(parts, ", "))
}

// leftoverHookFinalizers: hook objects of the app's last operation that
// are being deleted but keep argocd.argoproj.io/hook-finalizer while no
// operation runs that would remove it (Argo CD v3.0+ adds it; leaks are
// known).
func leftoverHookFinalizers(s *snapshot.Snapshot, app *argocd.Application) []report.Finding {
	op := app.Status.OperationState
	if op == nil || op.SyncResult == nil || (op.Phase == argocd.PhaseRunning && !strings.Contains(op.Message, "waiting for deletion")) {
		return nil
	}
	var out []report.Finding
	for _, r := range op.SyncResult.Resources {
		if r.HookType == "" {
			continue
		}
		h := hookRef{group: r.Group, kind: r.Kind, namespace: r.Namespace, name: r.Name}
		obj := s.Hooks[h.key()]
		if obj == nil || obj.GetDeletionTimestamp() == nil || !slices.Contains(obj.GetFinalizers(), argocd.HookFinalizer) {
			continue
		}
		deleted := obj.GetDeletionTimestamp().Time
		if !olderThan(s.Now, deleted, s.StuckAfter) {
			continue
		}
		f := report.Finding{
			ID:     "hook-stuck",
			Object: appRef(app),
			Since:  timePtr(deleted),
			Summary: fmt.Sprintf("%s hook %s has been deleting for %s, held by %s that no running operation will remove",
				r.HookType, h.ref(), formatAge(s.Now.Sub(deleted)), argocd.HookFinalizer),
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("status.operationState.phase %s: %s", op.Phase, op.Message))
		f.Evidence = append(f.Evidence, hookObjectEvidence(s, h, obj)...)
		if gvr, ok := resourceOf(s, r.Group, r.Kind); ok {
			current := obj.GetFinalizers()
			keep := finalizers.Without(current, []string{argocd.HookFinalizer})
			f.Fixes = append(f.Fixes, report.NewFix("remove-finalizers", "low",
				fmt.Sprintf("remove %s (%s) from %s, keeping its other finalizers: the operation that owned the hook is over, so nothing else will",
					argocd.HookFinalizer, finalizers.Owner(argocd.HookFinalizer), h.ref()),
				report.JSONPatchAction(gvr, h.ref(), finalizers.RemovalPatch(current, keep))))
		}
		out = append(out, f)
	}
	return out
}
