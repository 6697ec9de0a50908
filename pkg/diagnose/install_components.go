package diagnose

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// API resources of the installation's workloads and ConfigMaps, for fixes.
var (
	deploymentsResource  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	statefulSetsResource = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	configMapsResource   = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// nameLabel names an Argo CD component on its workload and pods.
const nameLabel = "app.kubernetes.io/name"

// component is one Argo CD workload (Deployment or StatefulSet) of the
// Argo CD namespace, with its live pods.
type component struct {
	Name       string // app.kubernetes.io/name, else the workload's name
	Ref        report.ObjectRef
	GVR        schema.GroupVersionResource
	UID        string
	Generation int64
	Replicas   int32
	Ready      int32
	Template   *corev1.PodTemplateSpec
	// Pods are the workload's pods that are not being deleted.
	Pods []corev1.Pod
}

// components lists the Argo CD workloads of the installation, by name.
func components(s *snapshot.Snapshot) []component {
	var out []component
	add := func(meta metav1.ObjectMeta, kind string, gvr schema.GroupVersionResource, replicas *int32, ready int32,
		tpl *corev1.PodTemplateSpec, sel *metav1.LabelSelector) {
		name := meta.Labels[nameLabel]
		if name == "" {
			name = meta.Name
		}
		if !strings.HasPrefix(name, "argocd-") && meta.Labels["app.kubernetes.io/part-of"] != "argocd" {
			return
		}
		c := component{Name: name, Ref: report.ObjectRef{Group: "apps", Kind: kind, Namespace: meta.Namespace, Name: meta.Name},
			GVR: gvr, UID: string(meta.UID), Generation: meta.Generation, Replicas: 1, Ready: ready, Template: tpl}
		if replicas != nil {
			c.Replicas = *replicas
		}
		if selector, err := metav1.LabelSelectorAsSelector(sel); err == nil && !selector.Empty() {
			readyPods := int32(0)
			for _, p := range s.Install.Pods {
				if p.DeletionTimestamp == nil && selector.Matches(labels.Set(p.Labels)) {
					c.Pods = append(c.Pods, p)
					if podReady(&p) {
						readyPods++
					}
				}
			}
			// The workload's status lags its pods by a sync of its
			// controller: a ready pod counts even before status says so.
			c.Ready = max(c.Ready, readyPods)
		}
		out = append(out, c)
	}
	for i := range s.Install.Deployments {
		d := &s.Install.Deployments[i]
		add(d.ObjectMeta, "Deployment", deploymentsResource, d.Spec.Replicas, d.Status.ReadyReplicas, &d.Spec.Template, d.Spec.Selector)
	}
	for i := range s.Install.StatefulSets {
		d := &s.Install.StatefulSets[i]
		add(d.ObjectMeta, "StatefulSet", statefulSetsResource, d.Spec.Replicas, d.Status.ReadyReplicas, &d.Spec.Template, d.Spec.Selector)
	}
	slices.SortFunc(out, func(a, b component) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// findComponent returns the component called name.
func findComponent(s *snapshot.Snapshot, name string) (component, bool) {
	for _, c := range components(s) {
		if c.Name == name {
			return c, true
		}
	}
	return component{}, false
}

// envVar is an environment variable of a component's pod template.
type envVar struct {
	Container      string
	ContainerIndex int
	Index          int
	Var            corev1.EnvVar
}

// env finds a variable in the pod template's containers.
func (c component) env(name string) (envVar, bool) {
	for ci, ctr := range c.Template.Spec.Containers {
		for ei, e := range ctr.Env {
			if e.Name == name {
				return envVar{Container: ctr.Name, ContainerIndex: ci, Index: ei, Var: e}, true
			}
		}
	}
	return envVar{}, false
}

// restartAction restarts the component as diagnosed.
func (c component) restartAction(now time.Time) report.Action {
	return report.RolloutRestartAction(c.GVR, c.Ref, c.UID, c.Generation, len(c.Template.Annotations) > 0, now)
}

// restartFix is the rollout-restart fix of one component.
func (c component) restartFix(now time.Time, why string) report.Fix {
	return report.NewFix("rollout-restart", "medium",
		fmt.Sprintf("restart %s %s (pod-template annotation %s, as kubectl rollout restart does) so that %s", c.Ref.Kind, c.Ref.Name, report.RestartedAtAnnotation, why),
		c.restartAction(now))
}

// podReady tells whether a pod's Ready condition is True.
func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podStart is when a pod started: status.startTime, else its creation.
func podStart(p *corev1.Pod) time.Time {
	if p.Status.StartTime != nil {
		return p.Status.StartTime.Time
	}
	return p.CreationTimestamp.Time
}

// reconciledApps are the Applications this installation reconciles: those
// of the control namespace and of application.namespaces.
func reconciledApps(s *snapshot.Snapshot) []*argocd.Application {
	all := s.AllApps()
	var out []*argocd.Application
	for i := range all {
		if s.Settings.ReconcilesNamespace(s.ArgoCDNamespace, all[i].Namespace) {
			out = append(out, &all[i])
		}
	}
	return out
}

// param reads an integer of argocd-cmd-params-cm; def when unset or
// malformed (Argo CD then uses its default too).
func param(s *snapshot.Snapshot, key string, def int) (value int, set bool) {
	v, ok := s.Install.ConfigData(argocd.CmdParamsConfigMap)[key]
	if !ok || strings.TrimSpace(v) == "" {
		return def, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return def, false
	}
	return n, true
}

// configMapRef is a ConfigMap of the installation, for findings about a
// setting.
func configMapRef(s *snapshot.Snapshot, name string) report.ObjectRef {
	return report.ObjectRef{Kind: "ConfigMap", Namespace: s.ArgoCDNamespace, Name: name}
}

// settingEvidence quotes one key of one of the installation's ConfigMaps.
func settingEvidence(cm, key, value string) string {
	return fmt.Sprintf("ConfigMap %s: %s: %q", cm, key, value)
}

// ignoreHint tells how to silence an informational or advisory finding.
func ignoreHint(id string, obj report.ObjectRef) string {
	return fmt.Sprintf("to silence: --ignore %s, or annotate %s with %s: %q", id, obj, IgnoreAnnotation, id)
}
