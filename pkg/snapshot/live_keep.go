package snapshot

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// lastAppliedAnnotation is kubectl's copy of what a client-side apply
// sent: as large as the object itself.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// liveKeep says which listed live objects to keep and how much of each:
// a whole-cluster LIST of a kind returns every object of it, the checks
// read only those some Application manages (status.resources).
type liveKeep struct {
	// managed maps each managed object to whether it is kept whole:
	// outofsync-after-sync compares an OutOfSync object's fields with
	// what Argo CD applied (its last-applied annotation and managedFields,
	// the data of a ConfigMap or Secret). Of the others the checks read
	// spec, status and metadata but neither those nor the data.
	managed map[LiveKey]bool
}

// newLiveKeep notes the objects the Applications manage on this cluster.
func newLiveKeep(apps []argocd.Application) liveKeep {
	k := liveKeep{managed: map[LiveKey]bool{}}
	for i := range apps {
		app := &apps[i]
		if !argocd.IsInCluster(app.Spec.Destination) {
			continue
		}
		for _, r := range app.Status.Resources {
			key := LiveKey{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
			k.managed[key] = k.managed[key] || r.Status != "Synced"
		}
	}
	return k
}

// ownerKinds are the kinds stale-pods follows from a pod to its managed
// workload (ReplicaSet to Deployment, Job to CronJob): kept even when no
// app manages them, for their ownerReferences.
var ownerKinds = map[schema.GroupKind]bool{{Group: "apps", Kind: "ReplicaSet"}: true, {Group: "batch", Kind: "Job"}: true}

// keep trims o to what the checks read and tells whether to keep it.
func (k liveKeep) keep(gk schema.GroupKind, o *unstructured.Unstructured) bool {
	whole, managed := k.managed[LiveKey{Group: gk.Group, Kind: gk.Kind, Namespace: o.GetNamespace(), Name: o.GetName()}]
	if !managed && !ownerKinds[gk] {
		return false
	}
	if whole {
		return true
	}
	meta, _ := o.Object["metadata"].(map[string]any)
	delete(meta, "managedFields")
	if ann, ok := meta["annotations"].(map[string]any); ok {
		delete(ann, lastAppliedAnnotation)
	}
	if gk.Group == "" && (gk.Kind == "ConfigMap" || gk.Kind == "Secret") {
		delete(o.Object, "data")
		delete(o.Object, "binaryData")
		delete(o.Object, "stringData")
	}
	return true
}
