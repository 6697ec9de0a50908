package diagnose

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// appByInstance finds the Application whose instance name is v.
func appByInstance(s *snapshot.Snapshot, v string) *argocd.Application {
	apps := s.AllApps()
	for i := range apps {
		if apps[i].InstanceName(s.ArgoCDNamespace) == v {
			return &apps[i]
		}
	}
	return nil
}

// managedBy says which Argo CD Application tracks a live object, from its
// tracking-id annotation, then the instance label, then the apps'
// status.resources. It returns "" when none does.
func managedBy(s *snapshot.Snapshot, obj *unstructured.Unstructured) string {
	describe := func(instance, how string) string {
		if app := appByInstance(s, instance); app != nil {
			return fmt.Sprintf("Application %s/%s (%s)", app.Namespace, app.Name, how)
		}
		return fmt.Sprintf("Argo CD app instance %q (%s; no such Application found)", instance, how)
	}
	if v := obj.GetAnnotations()[argocd.TrackingIDAnnotation]; v != "" {
		if id, ok := argocd.ParseTrackingID(v); ok {
			return describe(id.AppInstance, argocd.TrackingIDAnnotation+"="+v)
		}
	}
	key := s.Settings.InstanceLabelKey
	if key == "" {
		key = argocd.DefaultInstanceKey
	}
	if v := obj.GetLabels()[key]; v != "" && s.Settings.TrackingMethod != "annotation" {
		return describe(v, "label "+key+"="+v)
	}
	gvk := obj.GroupVersionKind()
	apps := s.AllApps()
	for i := range apps {
		for _, r := range apps[i].Status.Resources {
			if r.Group == gvk.Group && r.Kind == gvk.Kind && r.Namespace == obj.GetNamespace() && r.Name == obj.GetName() {
				return fmt.Sprintf("Application %s/%s (listed in its status.resources)", apps[i].Namespace, apps[i].Name)
			}
		}
	}
	return ""
}
