package snapshot

import (
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

// want tells whether to keep an object listed of kind gk, and whether
// whole.
func (k liveKeep) want(gk schema.GroupKind, namespace, name string) (keep, whole bool) {
	whole, managed := k.managed[LiveKey{Group: gk.Group, Kind: gk.Kind, Namespace: namespace, Name: name}]
	return managed || ownerKinds[gk], whole
}

// keep returns the JSON to keep of one listed item of kind gk (nil when
// no check reads it): of a Synced object, without managedFields, the
// kubectl last-applied annotation and a ConfigMap's or Secret's data.
// raw is valid JSON, an object.
func (k liveKeep) keep(gk schema.GroupKind, apiVersion, kind string, raw []byte) (LiveKey, []byte, error) {
	it := newLiveItem(raw)
	key := LiveKey{Group: gk.Group, Kind: gk.Kind, Namespace: it.namespace, Name: it.name}
	keep, whole := k.want(gk, it.namespace, it.name)
	if !keep {
		return key, nil, nil
	}
	configData := gk.Group == "" && (gk.Kind == "ConfigMap" || gk.Kind == "Secret")
	out, err := it.liveJSON(apiVersion, kind, whole, configData)
	return key, out, err
}
