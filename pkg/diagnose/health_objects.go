package diagnose

import (
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/health"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// Health statuses as an Application spells them.
const (
	appHealthProgressing = "Progressing"
	appHealthDegraded    = "Degraded"
)

// eventsPerObject bounds the Warning events quoted for one object.
const eventsPerObject = 3

// podsPerObject bounds the pods named for one workload.
const podsPerObject = 5

// objectHealth is the health of one object an app manages.
type objectHealth struct {
	res argocd.ResourceStatus
	obj *unstructured.Unstructured // nil when not read (then from is "status.resources")
	health.Result
	// override is the argocd-cm key of the Lua override Argo CD uses for
	// this kind instead of its built-in rule; Result is then what
	// status.resources says, if anything.
	override string
	// from says where the status comes from: "" (argofix, from the live
	// object) or "status.resources" (Argo CD v2.14, the only source when
	// the live object could not be read).
	from string
}

// ref is the object's reference, for evidence.
func (o objectHealth) ref() report.ObjectRef {
	return report.ObjectRef{Group: o.res.Group, Kind: o.res.Kind, Namespace: o.res.Namespace, Name: o.res.Name}
}

// appObjectHealth computes the health of each object the app manages from
// the live objects, as Argo CD's built-in rules do (Argo CD v3 no longer
// stores it in the Application). Hooks, objects annotated
// ignore-healthcheck and kinds without a rule are left out; an object that
// could not be read falls back to v2.14's status.resources[].health.
func appObjectHealth(s *snapshot.Snapshot, app *argocd.Application) []objectHealth {
	var out []objectHealth
	for _, r := range app.Status.Resources {
		if r.Hook {
			continue
		}
		obj, known := s.LiveObject(app, r)
		o := objectHealth{res: r, obj: obj}
		if ov, ok := s.Settings.FindHealthOverride(r.Group, r.Kind); ok {
			o.override = ov.Key
			if r.Health != nil {
				o.Status, o.Message, o.from = health.Status(r.Health.Status), r.Health.Message, "status.resources"
			}
			if obj != nil && obj.GetDeletionTimestamp() != nil {
				// Argo CD judges deletion before any override.
				o.Result, _ = health.Of(obj)
				o.override, o.from = "", ""
			}
			out = append(out, o)
			continue
		}
		if !known || obj == nil {
			if r.Health != nil && r.Health.Status != "" && (!known || r.Health.Status != string(health.Missing)) {
				o.Status, o.Message, o.from = health.Status(r.Health.Status), r.Health.Message, "status.resources"
				out = append(out, o)
			}
			continue
		}
		if health.Ignored(obj) {
			continue
		}
		result, ok := health.Of(obj)
		if !ok {
			continue
		}
		o.Result = result
		out = append(out, o)
	}
	return out
}

// nestedApps are the child Applications an app of apps manages: Argo CD
// has no built-in health for them.
func nestedApps(app *argocd.Application) []argocd.ResourceStatus {
	var out []argocd.ResourceStatus
	for _, r := range app.Status.Resources {
		if r.Group == argocd.Group && r.Kind == "Application" {
			out = append(out, r)
		}
	}
	return out
}

// nestedAppEvidence says how the children of an app of apps count towards
// its health: not at all without an override, through Lua with one (with
// each child's own health as its status says).
func nestedAppEvidence(s *snapshot.Snapshot, app *argocd.Application) []string {
	children := nestedApps(app)
	if len(children) == 0 {
		return nil
	}
	ov, ok := s.Settings.FindHealthOverride(argocd.Group, "Application")
	if !ok {
		return []string{fmt.Sprintf("%s manages %s: %s", appRef(app), plural(len(children), "Application"), health.NoApplicationRule)}
	}
	var out []string
	for _, r := range children {
		line := fmt.Sprintf("Application %s/%s: %s (argocd-cm %s)", r.Namespace, r.Name, health.LuaOverride, ov.Key)
		if obj, known := s.LiveObject(app, r); known && obj != nil {
			st, _, _ := unstructured.NestedString(obj.Object, "status", "health", "status")
			line += fmt.Sprintf("; its own status.health.status is %q", st)
		}
		out = append(out, line)
	}
	return out
}

// explainObject says why an object is not healthy, concretely: the rule's
// message and facts, what the kind waits on (pods and their causes, an
// address, a volume), and its newest Warning events.
func explainObject(s *snapshot.Snapshot, o objectHealth) []string {
	ref := o.ref()
	if o.override != "" {
		line := fmt.Sprintf("%s: %s (argocd-cm %s)", ref, health.LuaOverride, o.override)
		if o.Status != "" {
			line += fmt.Sprintf("; status.resources says %s", o.Status)
			if o.Message != "" {
				line += ": " + o.Message
			}
		}
		return append([]string{line}, objectEvents(s, ref.Kind, ref.Namespace, ref.Name)...)
	}
	head := fmt.Sprintf("%s is %s: %s", ref, o.Status, orDash(o.Message))
	if o.from != "" {
		head += " (as " + o.from + " says: the live object could not be read)"
	}
	lines := []string{head}
	for _, f := range o.Facts {
		if f != o.Message {
			lines = append(lines, "  "+f)
		}
	}
	if o.obj != nil && o.obj.GetDeletionTimestamp() == nil {
		lines = append(lines, kindDetail(s, o)...)
	}
	lines = append(lines, objectEvents(s, ref.Kind, ref.Namespace, ref.Name)...)
	return lines
}

func orDash(s string) string {
	if s == "" {
		return "(no message)"
	}
	return s
}

// kindDetail is what a kind's health waits on, beyond its status fields.
func kindDetail(s *snapshot.Snapshot, o objectHealth) []string {
	obj := o.obj
	switch o.res.Kind {
	case "Ingress":
		if o.Status == health.Progressing {
			return []string{"  " + ingressClassLine(s, obj)}
		}
	case "Service":
		if o.Status == health.Progressing {
			line := "spec.type LoadBalancer: no load-balancer controller (cloud provider, MetalLB, ...) has published an address"
			if class, _, _ := unstructured.NestedString(obj.Object, "spec", "loadBalancerClass"); class != "" {
				line += "; spec.loadBalancerClass " + class
			}
			return []string{"  " + line}
		}
	case "PersistentVolumeClaim":
		return []string{"  " + pvcLine(obj)}
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job":
		return workloadPodLines(s, obj)
	}
	return nil
}

// ingressClassLine names the Ingress's class, which says which controller
// should publish its address, and whether that class exists at all.
func ingressClassLine(s *snapshot.Snapshot, obj *unstructured.Unstructured) string {
	class, _, _ := unstructured.NestedString(obj.Object, "spec", "ingressClassName")
	how := "spec.ingressClassName"
	if class == "" {
		class, how = obj.GetAnnotations()["kubernetes.io/ingress.class"], "annotation kubernetes.io/ingress.class"
	}
	if class == "" {
		line := "no ingress class set (spec.ingressClassName, annotation kubernetes.io/ingress.class): only a default IngressClass's controller would serve it"
		if s.Has(snapshot.IngressClasses) {
			line += "; " + defaultIngressClass(s)
		}
		return line
	}
	line := fmt.Sprintf("%s %s: the controller of that class has not written status.loadBalancer.ingress (it is not running, or does not publish its address: ingress-nginx --publish-service, Traefik publishedService)", how, class)
	if !s.Has(snapshot.IngressClasses) {
		return line
	}
	for _, ic := range s.IngressClasses {
		if ic.Name == class {
			return line + fmt.Sprintf("; IngressClass %s names controller %s: check that its pods run", class, ic.Spec.Controller)
		}
	}
	return fmt.Sprintf("%s %s, but no IngressClass %s exists: no controller serves this Ingress, so it will never get an address (IngressClasses: %s)", how, class, class, ingressClassNames(s))
}

// defaultIngressClass says which IngressClass, if any, is the default.
func defaultIngressClass(s *snapshot.Snapshot) string {
	for _, ic := range s.IngressClasses {
		if ic.Annotations["ingressclass.kubernetes.io/is-default-class"] == "true" {
			return fmt.Sprintf("the default IngressClass is %s (controller %s)", ic.Name, ic.Spec.Controller)
		}
	}
	return "no IngressClass is marked default, so no controller serves it (IngressClasses: " + ingressClassNames(s) + ")"
}

func ingressClassNames(s *snapshot.Snapshot) string {
	if len(s.IngressClasses) == 0 {
		return "none"
	}
	names := make([]string, 0, len(s.IngressClasses))
	for _, ic := range s.IngressClasses {
		names = append(names, ic.Name)
	}
	return strings.Join(names, ", ")
}

// pvcLine names the claim's StorageClass and the provisioner asked to
// provide its volume.
func pvcLine(obj *unstructured.Unstructured) string {
	class, found, _ := unstructured.NestedString(obj.Object, "spec", "storageClassName")
	line := "spec.storageClassName " + class
	if !found {
		line = "no spec.storageClassName (the default StorageClass, if any, applies)"
	}
	prov := obj.GetAnnotations()["volume.kubernetes.io/storage-provisioner"]
	if prov == "" {
		prov = obj.GetAnnotations()["volume.beta.kubernetes.io/storage-provisioner"]
	}
	if prov != "" {
		return line + ", provisioner " + prov
	}
	return line + ", no provisioner annotation yet (no StorageClass of that name, or the PV controller has not picked it up)"
}

// workloadPodLines names the workload's pods that do not serve, each with
// why, and their newest Warning events.
func workloadPodLines(s *snapshot.Snapshot, obj *unstructured.Unstructured) []string {
	if !s.Has(snapshot.Pods) {
		return []string{"  (pods not read)"}
	}
	pods := workloadPods(s, obj)
	var lines []string
	shown := 0
	for _, p := range pods {
		causes := health.PodCauses(p)
		if len(causes) == 0 {
			continue
		}
		if shown == podsPerObject {
			lines = append(lines, "  (more pods not shown)")
			break
		}
		shown++
		lines = append(lines, fmt.Sprintf("  Pod %s: %s", p.Name, strings.Join(causes, "; ")))
		for _, e := range objectEvents(s, "Pod", p.Namespace, p.Name) {
			lines = append(lines, "  "+e)
		}
	}
	return lines
}

// workloadPods are the pods of a workload, not being deleted, newest
// first: those its selector matches (a Job's: its controller-uid label),
// owned by it or by one of its ReplicaSets.
func workloadPods(s *snapshot.Snapshot, obj *unstructured.Unstructured) []*corev1.Pod {
	selector := podSelector(obj)
	if selector == nil {
		return nil
	}
	var out []*corev1.Pod
	for i := range s.Pods {
		p := &s.Pods[i]
		if p.Namespace != obj.GetNamespace() || p.DeletionTimestamp != nil || !selector.Matches(labels.Set(p.Labels)) || !ownedBy(p, obj) {
			continue
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreationTimestamp.Equal(&out[j].CreationTimestamp) {
			return out[j].CreationTimestamp.Before(&out[i].CreationTimestamp)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// podSelector is the workload's spec.selector; nil when it has none.
func podSelector(obj *unstructured.Unstructured) labels.Selector {
	raw, found, _ := unstructured.NestedMap(obj.Object, "spec", "selector")
	if !found {
		return nil
	}
	var ls metav1.LabelSelector
	if err := fromUnstructured(raw, &ls); err != nil {
		return nil
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil || sel.Empty() {
		return nil
	}
	return sel
}

// ownedBy tells whether a pod belongs to the workload: owned by it, or
// (for a Deployment) by a ReplicaSet named after it. A pod without owner
// references is taken on the selector's word.
func ownedBy(p *corev1.Pod, obj *unstructured.Unstructured) bool {
	if len(p.OwnerReferences) == 0 {
		return true
	}
	for _, o := range p.OwnerReferences {
		if o.UID != "" && o.UID == obj.GetUID() || o.Kind == obj.GetKind() && o.Name == obj.GetName() {
			return true
		}
		if obj.GetKind() == "Deployment" && o.Kind == "ReplicaSet" && strings.HasPrefix(o.Name, obj.GetName()+"-") {
			return true
		}
	}
	return false
}

// objectEvents quotes the newest Warning events of one object, at most
// eventsPerObject, as "event <reason> (xN, last <time>): <message>".
func objectEvents(s *snapshot.Snapshot, kind, namespace, name string) []string {
	var out []string
	for i := range s.Events {
		e := &s.Events[i]
		io := e.InvolvedObject
		if io.Kind != kind || io.Namespace != namespace || io.Name != name {
			continue
		}
		count := e.Count
		if e.Series != nil && e.Series.Count > count {
			count = e.Series.Count
		}
		times := ""
		if count > 1 {
			times = fmt.Sprintf("x%d, ", count)
		}
		out = append(out, fmt.Sprintf("  event Warning %s (%slast %s): %s", e.Reason, times, report.FormatTime(snapshot.EventTime(e).Time), strings.TrimSpace(e.Message)))
		if len(out) == eventsPerObject {
			break
		}
	}
	return out
}

// healthSince is when the app's health last changed: health.lastTransitionTime
// (Argo CD v3), else the end of the last sync (v2.14 writes no transition
// time; the app has had this health at least since it synced). ok is false
// when neither is known.
func healthSince(app *argocd.Application) (time.Time, bool) {
	if t := app.Status.Health.LastTransitionTime; t != nil {
		return t.Time, true
	}
	if op := app.Status.OperationState; op != nil && op.FinishedAt != nil {
		return op.FinishedAt.Time, true
	}
	return time.Time{}, false
}

// fromUnstructured converts a decoded JSON map into a typed value.
func fromUnstructured(m map[string]any, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(m, into)
}
