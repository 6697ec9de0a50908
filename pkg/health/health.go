// Package health holds Argo CD's built-in health rules over live objects,
// shaped like gitops-engine's pkg/health: one dispatch by group and kind,
// one small file per kind, each saying Healthy, Progressing, Degraded,
// Suspended, Missing or Unknown and why. It imports no client-go.
package health

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/report"
)

// Status is Argo CD's health status code.
type Status string

// The statuses Argo CD assigns, as its UI and status.resources[].health
// spell them.
const (
	// Healthy: the object is what it asks to be.
	Healthy Status = "Healthy"
	// Progressing: not healthy yet, but may still get there.
	Progressing Status = "Progressing"
	// Degraded: failed, or cannot get healthy in time.
	Degraded Status = "Degraded"
	// Suspended: paused or suspended on purpose.
	Suspended Status = "Suspended"
	// Missing: the object does not exist.
	Missing Status = "Missing"
	// Unknown: the rule could not read the object.
	Unknown Status = "Unknown"
)

// Result is the health of one live object.
type Result struct {
	Status Status
	// Message says in one line why the rule gave Status, in terms of the
	// object's fields.
	Message string
	// Facts are the status fields that fall short of what the object asks
	// for (replicas ready, an address published, a job done, a generation
	// observed), worst first: evidence lines a person can check with
	// kubectl. They may be empty where Message says it all.
	Facts []string
}

// rule assesses a live object of one kind.
type rule func(obj *unstructured.Unstructured) Result

// rules is the one dispatch: Argo CD's built-in rules by group and kind.
var rules = map[schema.GroupKind]rule{
	{Group: "apps", Kind: "Deployment"}:                     typed(deploymentHealth),
	{Group: "extensions", Kind: "Deployment"}:               typed(deploymentHealth),
	{Group: "apps", Kind: "StatefulSet"}:                    typed(statefulSetHealth),
	{Group: "apps", Kind: "DaemonSet"}:                      typed(daemonSetHealth),
	{Group: "extensions", Kind: "DaemonSet"}:                typed(daemonSetHealth),
	{Group: "batch", Kind: "Job"}:                           typed(jobHealth),
	{Group: "networking.k8s.io", Kind: "Ingress"}:           ingressHealth,
	{Group: "extensions", Kind: "Ingress"}:                  ingressHealth,
	{Group: "", Kind: "Service"}:                            serviceHealth,
	{Group: "", Kind: "PersistentVolumeClaim"}:              typed(pvcHealth),
	{Group: "", Kind: "Pod"}:                                typed(podHealth),
	{Group: "apps", Kind: "ReplicaSet"}:                     typed(replicaSetHealth),
	{Group: "extensions", Kind: "ReplicaSet"}:               typed(replicaSetHealth),
	{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}: hpaHealth,
}

// HasRule tells whether Argo CD has a built-in health rule for the kind.
// Without one (and without a Lua customization in argocd-cm) Argo CD
// assigns no health: the object neither counts towards the app's health
// nor holds up a sync.
func HasRule(gk schema.GroupKind) bool {
	_, ok := rules[gk]
	return ok
}

// Of assesses a live object as Argo CD's built-in health does (gitops-engine's
// GetResourceHealth, Lua customizations aside). A nil object is Missing;
// anything with a deletionTimestamp is Progressing. ok is false for a kind
// without a built-in rule: Argo CD then assigns no health, and r carries only
// the facts that hold for any kind (a generation not yet observed).
func Of(obj *unstructured.Unstructured) (r Result, ok bool) {
	if obj == nil {
		return Result{Status: Missing, Message: "does not exist"}, true
	}
	check, ok := rules[obj.GroupVersionKind().GroupKind()]
	if ok {
		r = check(obj)
	}
	if lag := generationLag(obj); lag != "" {
		r.Facts = append(r.Facts, lag)
	}
	if ts := obj.GetDeletionTimestamp(); ts != nil {
		pending := fmt.Sprintf("pending deletion since %s, finalizers %s", report.FormatTime(ts.Time), finalizers.Format(obj.GetFinalizers()))
		r.Status, r.Message, ok = Progressing, pending, true
		r.Facts = append([]string{pending}, r.Facts...)
	}
	return r, ok
}

// generationLag is the fact that a controller has not yet observed the
// object's latest spec; "" when it has, or when the object publishes no
// status.observedGeneration.
func generationLag(obj *unstructured.Unstructured) string {
	observed, _, _ := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	if observed == 0 || observed >= obj.GetGeneration() {
		return ""
	}
	return lagMessage(observed, obj.GetGeneration())
}

func lagMessage(observed, generation int64) string {
	return fmt.Sprintf("status.observedGeneration %d < metadata.generation %d", observed, generation)
}

// typed turns a rule over a typed object into one over the live object,
// as gitops-engine converts before it judges. An object that does not
// convert is Unknown.
func typed[T any](assess func(*T) Result) rule {
	return func(obj *unstructured.Unstructured) Result {
		var v T
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &v); err != nil {
			return Result{Status: Unknown, Message: fmt.Sprintf("cannot read the %s: %v", obj.GetKind(), err)}
		}
		return assess(&v)
	}
}
