package diagnose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// hashSuffix matches names that end in a content hash: kustomize's
// configMapGenerator and secretGenerator (ten characters of its
// vowel-free alphabet); such objects get a new name, and the workload a
// new pod template, on every change.
var hashSuffix = regexp.MustCompile(`-[2456789bcdfghkmt]{10}$`)

// checksumAnnotationPrefix marks pod templates that Helm charts roll on a
// configuration change (checksum/config: sha256 of the rendered values).
const checksumAnnotationPrefix = "checksum/"

// configRef is a ConfigMap or Secret a pod template reads.
type configRef struct {
	Kind, Name, How string
	Optional        bool
}

// checkConfigStale reports the Deployments, StatefulSets and DaemonSets an
// app manages whose running pods all started before the last change of a
// ConfigMap or Secret they read: environment variables are read once at
// start, and nothing restarts the pods (mounted files do update, but most
// programs read them at start too). Optional references to missing
// objects, immutable objects, names with a content hash and pod templates
// with a checksum/ annotation roll by themselves and are left out.
func checkConfigStale(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		for _, r := range app.Status.Resources {
			if r.Group != "apps" || r.Kind != "Deployment" && r.Kind != "StatefulSet" && r.Kind != "DaemonSet" {
				continue
			}
			if raw, known := s.LiveJSON(app, r); !known || raw == nil || !mayReadChangedConfig(s, r.Namespace, raw) {
				continue
			}
			obj, known := s.LiveObject(app, r)
			if !known || obj == nil || obj.GetDeletionTimestamp() != nil {
				continue
			}
			if f, ok := configStaleFinding(s, app, obj); ok {
				findings = append(findings, f)
			}
		}
	}
	return findings
}

// mayReadChangedConfig tells, from the workload's JSON decoded into its
// pod template alone, whether it reads a ConfigMap or Secret that
// configStaleFinding could name (one that exists, mutable, without a
// content hash in its name): only then is the whole object decoded. At
// 5,000 apps decoding every workload into maps was most of this check.
func mayReadChangedConfig(s *snapshot.Snapshot, namespace string, raw []byte) bool {
	// Every reference is a "configMap..." or "secret..." key: a workload
	// whose JSON has neither reads none.
	if !bytes.Contains(raw, []byte(`"configMap`)) && !bytes.Contains(raw, []byte(`"secret`)) {
		return false
	}
	var w struct {
		Spec struct {
			Template corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if json.Unmarshal(raw, &w) != nil {
		return true // let the full decode judge
	}
	for _, ref := range configRefs(&w.Spec.Template.Spec) {
		co, ok := s.ConfigObjects[snapshot.LiveKey{Kind: ref.Kind, Namespace: namespace, Name: ref.Name}]
		if ok && !co.Immutable && !hashSuffix.MatchString(ref.Name) {
			return true
		}
	}
	return false
}

func configStaleFinding(s *snapshot.Snapshot, app *argocd.Application, obj *unstructured.Unstructured) (report.Finding, bool) {
	var template corev1.PodTemplateSpec
	raw, found, _ := unstructured.NestedMap(obj.Object, "spec", "template")
	if !found || fromUnstructured(raw, &template) != nil {
		return report.Finding{}, false
	}
	for k := range template.Annotations {
		if strings.HasPrefix(k, checksumAnnotationPrefix) {
			return report.Finding{}, false
		}
	}
	if rolling(obj) {
		return report.Finding{}, false
	}
	var running []*corev1.Pod
	for _, p := range workloadPods(s, obj) {
		if p.Status.Phase == corev1.PodRunning {
			running = append(running, p)
		}
	}
	if len(running) == 0 {
		return report.Finding{}, false
	}
	newest, oldest := running[0], running[0]
	for _, p := range running {
		if podStartTime(p).After(podStartTime(newest)) {
			newest = p
		}
		if podStartTime(p).Before(podStartTime(oldest)) {
			oldest = p
		}
	}
	restarted := time.Time{}
	if v := template.Annotations[report.RestartedAtAnnotation]; v != "" {
		restarted, _ = time.Parse(time.RFC3339, v)
	}
	var evidence []string
	var names []string
	var latest time.Time
	for _, ref := range configRefs(&template.Spec) {
		co, ok := s.ConfigObjects[snapshot.LiveKey{Kind: ref.Kind, Namespace: obj.GetNamespace(), Name: ref.Name}]
		if !ok || co.Immutable || hashSuffix.MatchString(ref.Name) {
			continue
		}
		changed, manager := lastChange(co)
		if !changed.Truncate(time.Second).After(podStartTime(newest).Truncate(time.Second)) || !restarted.IsZero() && !changed.After(restarted) {
			continue
		}
		by := ""
		if manager != "" {
			by = " by " + manager
		}
		names = append(names, ref.Kind+" "+ref.Name)
		evidence = append(evidence, fmt.Sprintf("%s %s/%s last changed %s%s; the pod template reads it through %s",
			ref.Kind, obj.GetNamespace(), ref.Name, report.FormatTime(changed), by, ref.How))
		if changed.After(latest) {
			latest = changed
		}
	}
	if len(names) == 0 {
		return report.Finding{}, false
	}
	ref := report.ObjectRef{Group: "apps", Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}
	f := report.Finding{ID: "config-stale", Object: ref, Since: timePtr(latest)}
	f.Summary = fmt.Sprintf("%s of app %s runs pods older than the last change of %s: nothing restarted them, so they still run the old configuration",
		ref, app.Name, strings.Join(names, ", "))
	f.Evidence = append(evidence,
		fmt.Sprintf("%s; the newest, %s, started %s; the oldest, %s, started %s",
			plural(len(running), "running pod"), newest.Name, report.FormatTime(podStartTime(newest)), oldest.Name, report.FormatTime(podStartTime(oldest))))
	if gvr, ok := resourceOf(s, "apps", obj.GetKind()); ok {
		f.Fixes = []report.Fix{report.NewFix("rollout-restart", "medium",
			fmt.Sprintf("restart %s as kubectl rollout restart does (pod-template annotation %s): its pods are replaced by its update strategy, one workload at a time", ref, report.RestartedAtAnnotation),
			report.RolloutRestartAction(gvr, ref, string(obj.GetUID()), obj.GetGeneration(), len(template.Annotations) > 0, s.Now))}
	}
	return f, true
}

// rolling tells a workload whose rollout is under way: its new pods are
// on their way, so old pods are expected.
func rolling(obj *unstructured.Unstructured) bool {
	observed, _, _ := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	if observed < obj.GetGeneration() {
		return true
	}
	want, found, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas")
	if !found {
		want = 1
	}
	switch obj.GetKind() {
	case "DaemonSet":
		desired, _, _ := unstructured.NestedInt64(obj.Object, "status", "desiredNumberScheduled")
		updated, _, _ := unstructured.NestedInt64(obj.Object, "status", "updatedNumberScheduled")
		return updated < desired
	case "StatefulSet":
		cur, _, _ := unstructured.NestedString(obj.Object, "status", "currentRevision")
		upd, _, _ := unstructured.NestedString(obj.Object, "status", "updateRevision")
		return cur != upd
	}
	updated, _, _ := unstructured.NestedInt64(obj.Object, "status", "updatedReplicas")
	replicas, _, _ := unstructured.NestedInt64(obj.Object, "status", "replicas")
	return updated < want || replicas > updated
}

// lastChange is when a ConfigMap or Secret last changed: its newest
// managedFields time, else its creation; and who changed it.
func lastChange(co snapshot.ConfigObject) (time.Time, string) {
	at, by := co.CreationTimestamp.Time, ""
	for _, e := range co.ManagedFields {
		if e.Time != nil && !e.Time.Time.Before(at) {
			at, by = e.Time.Time, e.Manager
		}
	}
	return at, by
}

// podStartTime is when a pod started: status.startTime, else its creation.
func podStartTime(p *corev1.Pod) time.Time {
	if p.Status.StartTime != nil {
		return p.Status.StartTime.Time
	}
	return p.CreationTimestamp.Time
}

// configRefs lists the ConfigMaps and Secrets a pod template reads:
// volumes (projected too), envFrom and env valueFrom, of every container.
// A reference marked optional is kept (config-stale drops it when the
// object is missing, as it drops every missing one).
func configRefs(spec *corev1.PodSpec) []configRef {
	seen := map[string]bool{}
	var out []configRef
	add := func(kind, name, how string, optional *bool) {
		key := kind + "/" + name
		if name == "" || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, configRef{Kind: kind, Name: name, How: how, Optional: optional != nil && *optional})
	}
	for _, v := range spec.Volumes {
		if cm := v.ConfigMap; cm != nil {
			add("ConfigMap", cm.Name, "volume "+v.Name, cm.Optional)
		}
		if sec := v.Secret; sec != nil {
			add("Secret", sec.SecretName, "volume "+v.Name, sec.Optional)
		}
		if p := v.Projected; p != nil {
			for _, src := range p.Sources {
				if src.ConfigMap != nil {
					add("ConfigMap", src.ConfigMap.Name, "projected volume "+v.Name, src.ConfigMap.Optional)
				}
				if src.Secret != nil {
					add("Secret", src.Secret.Name, "projected volume "+v.Name, src.Secret.Optional)
				}
			}
		}
	}
	containers := append(append([]corev1.Container(nil), spec.InitContainers...), spec.Containers...)
	for _, c := range containers {
		for _, from := range c.EnvFrom {
			if from.ConfigMapRef != nil {
				add("ConfigMap", from.ConfigMapRef.Name, "envFrom of container "+c.Name, from.ConfigMapRef.Optional)
			}
			if from.SecretRef != nil {
				add("Secret", from.SecretRef.Name, "envFrom of container "+c.Name, from.SecretRef.Optional)
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			if k := e.ValueFrom.ConfigMapKeyRef; k != nil {
				add("ConfigMap", k.Name, fmt.Sprintf("env %s of container %s", e.Name, c.Name), k.Optional)
			}
			if k := e.ValueFrom.SecretKeyRef; k != nil {
				add("Secret", k.Name, fmt.Sprintf("env %s of container %s", e.Name, c.Name), k.Optional)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Kind+out[i].Name < out[j].Kind+out[j].Name })
	return out
}
