package diagnose

import (
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/finalizers"
	"github.com/argofix/kubectl-argofix/pkg/health"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// podOwnerKinds are the managed kinds whose pods stale-pods looks at.
var podOwnerKinds = map[string]string{
	"Pod": "", "ReplicaSet": "apps", "Deployment": "apps", "StatefulSet": "apps", "DaemonSet": "apps",
	"Job": "batch", "CronJob": "batch",
}

// checkStalePods reports pods of an app's workloads stuck Terminating: the
// deletionTimestamp (which already includes the grace period) plus one
// more grace period has passed, typically because the node is NotReady or
// gone, or a finalizer holds the pod.
func checkStalePods(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		if !argocd.IsInCluster(app.Spec.Destination) {
			// Its pods are on another cluster: same-named local pods are not its.
			continue
		}
		namespaces := map[string]bool{}
		managed := map[workloadKey]bool{}
		for _, r := range app.Status.Resources {
			if r.Namespace == "" {
				continue
			}
			namespaces[r.Namespace] = true
			if group, ok := podOwnerKinds[r.Kind]; ok && group == r.Group {
				managed[workloadKey{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}] = true
			}
		}
		var stale []stalePod
		for j := range s.Pods {
			p := &s.Pods[j]
			if !namespaces[p.Namespace] || p.DeletionTimestamp == nil || !s.Now.After(podGraceDeadline(p)) {
				continue
			}
			if owner := podWorkload(s, p, managed); owner != "" {
				stale = append(stale, stalePod{pod: p, owner: owner})
			}
		}
		if len(stale) > 0 {
			findings = append(findings, stalePodsFinding(s, app, stale))
		}
	}
	return findings
}

type workloadKey struct{ Kind, Namespace, Name string }

type stalePod struct {
	pod   *corev1.Pod
	owner string
}

// podGraceDeadline is when a terminating pod is overdue: the
// deletionTimestamp (request time + grace) plus the grace period once more,
// which leaves the kubelet time to confirm.
func podGraceDeadline(p *corev1.Pod) time.Time {
	grace := int64(0)
	if p.DeletionGracePeriodSeconds != nil {
		grace = *p.DeletionGracePeriodSeconds
	}
	return p.DeletionTimestamp.Add(time.Duration(grace) * time.Second)
}

// podWorkload says which managed workload a pod belongs to, following
// ownerReferences (ReplicaSet to Deployment, Job to CronJob) through the
// live objects or, when those were not read, the controllers' naming
// (<deployment>-<hash>). It returns "" for a pod of no managed workload.
func podWorkload(s *snapshot.Snapshot, p *corev1.Pod, managed map[workloadKey]bool) string {
	if managed[workloadKey{Kind: "Pod", Namespace: p.Namespace, Name: p.Name}] {
		return "managed Pod"
	}
	parent := map[string]string{"ReplicaSet": "Deployment", "Job": "CronJob"}
	for _, o := range p.OwnerReferences {
		if managed[workloadKey{Kind: o.Kind, Namespace: p.Namespace, Name: o.Name}] {
			return fmt.Sprintf("%s %s", o.Kind, o.Name)
		}
		up, ok := parent[o.Kind]
		if !ok {
			continue
		}
		if live := s.LiveByKey(snapshot.LiveKey{Group: podOwnerKinds[o.Kind], Kind: o.Kind, Namespace: p.Namespace, Name: o.Name}); live != nil {
			for _, lo := range live.GetOwnerReferences() {
				if lo.Kind == up && managed[workloadKey{Kind: up, Namespace: p.Namespace, Name: lo.Name}] {
					return fmt.Sprintf("%s %s of %s %s", o.Kind, o.Name, up, lo.Name)
				}
			}
		}
		if k, ok := managedByPrefix(managed, p.Namespace, o.Name, func(kind string) bool { return kind == up }); ok {
			return fmt.Sprintf("%s %s of %s %s", o.Kind, o.Name, up, k.Name)
		}
	}
	if len(p.OwnerReferences) == 0 {
		if k, ok := managedByPrefix(managed, p.Namespace, p.Name, func(kind string) bool { return kind != "Pod" }); ok {
			return fmt.Sprintf("%s %s (by name)", k.Kind, k.Name)
		}
	}
	return ""
}

// managedByPrefix finds the managed workload whose name, plus "-",
// prefixes name (controllers name what they create after themselves). The
// longest wins, so a pod of Deployment web-api is not taken for web's.
func managedByPrefix(managed map[workloadKey]bool, namespace, name string, kindOK func(string) bool) (workloadKey, bool) {
	var best workloadKey
	found := false
	for k := range managed {
		if k.Namespace != namespace || !kindOK(k.Kind) || !strings.HasPrefix(name, k.Name+"-") {
			continue
		}
		if !found || len(k.Name) > len(best.Name) || len(k.Name) == len(best.Name) && k.Kind < best.Kind {
			best, found = k, true
		}
	}
	return best, found
}

func stalePodsFinding(s *snapshot.Snapshot, app *argocd.Application, stale []stalePod) report.Finding {
	sort.Slice(stale, func(i, j int) bool {
		a, b := stale[i].pod, stale[j].pod
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	f := report.Finding{
		ID:     "stale-pods",
		Object: appRef(app),
	}
	var names []string
	byNamespace := map[string][]*corev1.Pod{}
	var nsOrder []string
	for _, sp := range stale {
		p := sp.pod
		deleted := p.DeletionTimestamp.Time
		if f.Since == nil || deleted.Before(*f.Since) {
			f.Since = timePtr(deleted)
		}
		node := nodeState(s, p.Spec.NodeName)
		names = append(names, fmt.Sprintf("%s/%s (%s)", p.Namespace, p.Name, node))
		grace := int64(0)
		if p.DeletionGracePeriodSeconds != nil {
			grace = *p.DeletionGracePeriodSeconds
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("Pod %s/%s of %s: metadata.deletionTimestamp %s (grace %ds, terminating for %s), metadata.finalizers %s, %s",
			p.Namespace, p.Name, sp.owner, report.FormatTime(deleted), grace, formatAge(s.Now.Sub(deleted)), finalizers.Format(p.Finalizers), node))
		if _, ok := byNamespace[p.Namespace]; !ok {
			nsOrder = append(nsOrder, p.Namespace)
		}
		byNamespace[p.Namespace] = append(byNamespace[p.Namespace], p)
		if len(p.Finalizers) > 0 {
			f.Fixes = append(f.Fixes, removeFinalizersFix(podsResource, report.ObjectRef{Kind: "Pod", Namespace: p.Namespace, Name: p.Name}, p.Finalizers, "medium",
				"A forced delete does not remove finalizers"))
		}
	}
	f.Summary = fmt.Sprintf("%s of the app's workloads are stuck Terminating past their grace period: %s", plural(len(stale), "pod"), strings.Join(names, ", "))
	var force []report.Fix
	for _, ns := range nsOrder {
		var names []string
		var deletes []report.Action
		for _, p := range byNamespace[ns] {
			names = append(names, p.Name)
			deletes = append(deletes, forceDeletePodAction(p))
		}
		force = append(force, report.NewFix("force-delete-pods", "medium",
			fmt.Sprintf("force-delete pods %s in %s: the API object goes at once without waiting for the kubelet; if the node is only unreachable its containers may still run (for a StatefulSet, two pods with one identity)",
				strings.Join(names, ", "), ns),
			deletes...))
	}
	f.Fixes = append(force, f.Fixes...)
	return f
}

// nodeState describes the node a pod is bound to, from its Ready condition.
func nodeState(s *snapshot.Snapshot, name string) string {
	if name == "" {
		return "not scheduled to a node"
	}
	if !s.Has(snapshot.Nodes) {
		return fmt.Sprintf("node %s (nodes not read)", name)
	}
	for i := range s.Nodes {
		if n := &s.Nodes[i]; n.Name == name {
			if ready, ok := health.NodeReady(n); ok {
				return "node " + name + " " + ready.Message
			}
			return fmt.Sprintf("node %s has no Ready condition", name)
		}
	}
	return fmt.Sprintf("node %s does not exist", name)
}

// forceDeletePodAction deletes a pod at once, bound to its UID: a
// StatefulSet pod recreated under the same name is not the one diagnosed.
func forceDeletePodAction(p *corev1.Pod) report.Action {
	a := report.NewAction(report.VerbDelete, podsResource, report.ObjectRef{Kind: "Pod", Namespace: p.Namespace, Name: p.Name})
	a.UID = string(p.UID)
	var zero int64
	a.GracePeriodSeconds = &zero
	return a
}
