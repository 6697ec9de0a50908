package diagnose

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/argocdserver"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkGhostPods reports Pods that an app's resource tree (the
// application-controller's cache, as argocd-server serves it) still shows
// but the cluster no longer has, or has with another UID. It runs only
// when the trees were read through argocd-server.
func checkGhostPods(s *snapshot.Snapshot) []report.Finding {
	view := s.ArgoCDServer
	if view == nil {
		return nil
	}
	unlisted := map[string]bool{} // namespaces whose pods could not be listed
	for _, p := range s.Problems {
		if p.Source == snapshot.Pods {
			unlisted[p.Namespace] = true
		}
	}
	if unlisted[""] {
		return nil // the cluster-wide list failed: no namespace is known
	}
	live := map[string]*corev1.Pod{}
	for i := range s.Pods {
		live[s.Pods[i].Namespace+"/"+s.Pods[i].Name] = &s.Pods[i]
	}
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		tree, ok := view.Trees[snapshot.AppKey{Namespace: app.Namespace, Name: app.Name}]
		if !ok || !argocd.IsInCluster(app.Spec.Destination) {
			// Not read, or its pods are on another cluster, out of reach.
			continue
		}
		listed := podNamespacesOf(app)
		var ghosts []ghostPod
		treePods := 0
		for _, n := range tree.Nodes {
			if n.Kind != "Pod" || n.Group != "" || !listed[n.Namespace] || unlisted[n.Namespace] {
				continue
			}
			treePods++
			p := live[n.Namespace+"/"+n.Name]
			if p == nil || n.UID != "" && string(p.UID) != n.UID {
				ghosts = append(ghosts, ghostPod{node: n, live: p})
			}
		}
		if len(ghosts) > 0 {
			findings = append(findings, ghostPodsFinding(s, app, tree, treePods, ghosts))
		}
	}
	return findings
}

// podNamespacesOf are the namespaces whose pods the collector lists for
// app (as namespacesOfApps does): a tree pod elsewhere cannot be judged.
func podNamespacesOf(app *argocd.Application) map[string]bool {
	out := map[string]bool{app.Namespace: true, app.Spec.Destination.Namespace: true}
	for _, r := range app.Status.Resources {
		out[r.Namespace] = true
	}
	delete(out, "")
	return out
}

type ghostPod struct {
	node argocdserver.Node
	live *corev1.Pod // same name, other UID; nil when gone
}

func ghostPodsFinding(s *snapshot.Snapshot, app *argocd.Application, tree argocdserver.Tree, treePods int, ghosts []ghostPod) report.Finding {
	sort.Slice(ghosts, func(i, j int) bool {
		a, b := ghosts[i].node, ghosts[j].node
		return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
	})
	view := s.ArgoCDServer
	f := report.Finding{
		ID:     "ghost-pods",
		Object: appRef(app),
	}
	var names []string
	for _, g := range ghosts {
		names = append(names, g.node.Namespace+"/"+g.node.Name)
	}
	f.Summary = fmt.Sprintf("Argo CD's resource tree still shows %s the cluster no longer has (the application-controller's cache missed the deletion): %s", plural(len(ghosts), "pod"), strings.Join(names, ", "))
	f.Evidence = append(f.Evidence, fmt.Sprintf("argocd-server %s, Argo CD %s: %s", view.Server, versionOrUnknown(view.Version), upstreamFixNote(view.Version)))
	f.Evidence = append(f.Evidence, fmt.Sprintf("the resource tree of %s lists %s in namespaces whose pods were listed; missing from the cluster: %d", app.Name, plural(treePods, "pod"), len(ghosts)))
	byUID := map[string]argocdserver.Node{}
	for _, n := range tree.Nodes {
		if n.UID != "" {
			byUID[n.UID] = n
		}
	}
	for _, g := range ghosts {
		owner := treeOwner(g.node, byUID)
		line := fmt.Sprintf("tree: Pod %s/%s uid %s, owner %s", g.node.Namespace, g.node.Name, orNone(g.node.UID), owner)
		if g.live == nil {
			line += "; cluster: no such pod"
		} else {
			line += fmt.Sprintf("; cluster: a pod of that name with uid %s, created %s", g.live.UID, report.FormatTime(g.live.CreationTimestamp.Time))
		}
		f.Evidence = append(f.Evidence, line)
		if len(g.node.ParentRefs) > 0 {
			f.Evidence = append(f.Evidence, liveSiblings(s, g.node.Namespace, g.node.ParentRefs[0]))
		}
	}
	f.Fixes = ghostPodsFixes(s, app)
	if len(f.Fixes) == 0 {
		f.Evidence = append(f.Evidence, fmt.Sprintf("no application-controller StatefulSet or Deployment was found in %s (or it could not be listed): restart the application-controller where it runs", s.ArgoCDNamespace))
	}
	return f
}

// treeOwner names a tree node's owner chain, as the tree has it
// (ReplicaSet web-5d8f of Deployment web).
func treeOwner(n argocdserver.Node, byUID map[string]argocdserver.Node) string {
	if len(n.ParentRefs) == 0 {
		return "none in the tree"
	}
	var chain []string
	ref := n.ParentRefs[0]
	for range 5 {
		chain = append(chain, ref.Kind+" "+ref.Name)
		parent, ok := byUID[ref.UID]
		if !ok || len(parent.ParentRefs) == 0 {
			break
		}
		ref = parent.ParentRefs[0]
	}
	return strings.Join(chain, " of ")
}

// liveSiblings is the cluster's view of a tree owner: the pods it owns now.
func liveSiblings(s *snapshot.Snapshot, namespace string, owner argocdserver.Ref) string {
	var pods []string
	for i := range s.Pods {
		p := &s.Pods[i]
		if p.Namespace != namespace {
			continue
		}
		for _, o := range p.OwnerReferences {
			if o.Kind == owner.Kind && o.Name == owner.Name {
				pods = append(pods, p.Name)
			}
		}
	}
	sort.Strings(pods)
	if len(pods) == 0 {
		return fmt.Sprintf("cluster: %s %s owns no pod now", owner.Kind, owner.Name)
	}
	return fmt.Sprintf("cluster: %s %s owns %s now: %s", owner.Kind, owner.Name, plural(len(pods), "pod"), strings.Join(pods, ", "))
}

// ghostPodsFixes restarts the application-controller (each of its
// workloads as diagnosed) and invalidates the cache of the in-cluster
// destination when it has a cluster Secret.
func ghostPodsFixes(s *snapshot.Snapshot, _ *argocd.Application) []report.Fix {
	var fixes []report.Fix
	for _, w := range s.ArgoCDServer.ControllerWorkloads {
		gvr := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: strings.ToLower(w.Kind) + "s"}
		ref := report.ObjectRef{Group: "apps", Kind: w.Kind, Namespace: w.Namespace, Name: w.Name}
		fixes = append(fixes, report.NewFix("restart-controller", "medium",
			fmt.Sprintf("restart the application-controller (%s %s/%s, pod-template annotation %s, as kubectl rollout restart does) so that it rebuilds its cache of the cluster; reconciliation pauses while it starts", w.Kind, w.Namespace, w.Name, report.RestartedAtAnnotation),
			report.RolloutRestartAction(gvr, ref, w.UID, w.Generation, w.HasTemplateAnnotations, s.Now)))
	}
	for _, c := range s.Clusters {
		if argocd.SameServer(c.Server, argocd.InClusterServer) {
			fixes = append(fixes, InvalidateCacheFix(c, s.Now))
			break
		}
	}
	return fixes
}

func versionOrUnknown(v string) string {
	if v == "" {
		return "version unknown"
	}
	return v
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// upstreamFixNote says whether the Argo CD version carries the upstream
// fix for pods the controller's cache keeps after their deletion
// (v3.3.13, v3.4.5, v3.5.0 and later).
func upstreamFixNote(version string) string {
	major, minor, patch, ok := parseVersion(version)
	switch {
	case !ok:
		return "whether it carries the upstream fix (v3.3.13, v3.4.5, v3.5.0 and later) is unknown"
	case hasGhostPodsFix(major, minor, patch):
		return "it carries the upstream fix (v3.3.13, v3.4.5, v3.5.0 and later), yet the tree is stale: the fix was a best attempt at a bug nobody reproduces at will"
	default:
		return "it predates the upstream fix (v3.3.13, v3.4.5, v3.5.0 and later): upgrading makes this less likely"
	}
}

func hasGhostPodsFix(major, minor, patch int) bool {
	switch {
	case major != 3:
		return major > 3
	case minor == 3:
		return patch >= 13
	case minor == 4:
		return patch >= 5
	default:
		return minor >= 5
	}
}

// parseVersion reads v2.14.21+abc1234 (or 2.14.21, v3.0.0-rc1).
func parseVersion(v string) (major, minor, patch int, ok bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	if i := strings.IndexAny(v, "+-"); i >= 0 {
		v = v[:i]
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	var nums [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return 0, 0, 0, false
		}
		nums[i] = n
	}
	return nums[0], nums[1], nums[2], true
}
