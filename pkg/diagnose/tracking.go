package diagnose

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// trackingID is a parsed argocd.argoproj.io/tracking-id annotation:
// <app-instance>:<group>/<kind>:<namespace>/<name>.
type trackingID struct {
	AppInstance string
	Group       string
	Kind        string
	Namespace   string
	Name        string
}

// parseTrackingID reads a tracking-id annotation value.
func parseTrackingID(v string) (trackingID, bool) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 || parts[0] == "" {
		return trackingID{}, false
	}
	group, kind, ok := strings.Cut(parts[1], "/")
	if !ok || kind == "" {
		return trackingID{}, false
	}
	ns, name, ok := strings.Cut(parts[2], "/")
	if !ok || name == "" {
		return trackingID{}, false
	}
	return trackingID{AppInstance: parts[0], Group: group, Kind: kind, Namespace: ns, Name: name}, true
}

// appInstanceName is the value Argo CD writes into tracking labels and
// annotations: the app's name, prefixed with "<namespace>_" for apps
// outside the control namespace.
func appInstanceName(app *argocd.Application, controlNamespace string) string {
	if app.Namespace == "" || app.Namespace == controlNamespace {
		return app.Name
	}
	return app.Namespace + "_" + app.Name
}

// allApplications are every Application known to the Snapshot: the whole
// cluster when it was listed, else the selected ones.
func allApplications(s *Snapshot) []argocd.Application {
	if len(s.AllApplications) > 0 {
		return s.AllApplications
	}
	return s.Applications
}

// appByInstance finds the Application whose instance name is v.
func appByInstance(s *Snapshot, v string) *argocd.Application {
	apps := allApplications(s)
	for i := range apps {
		if appInstanceName(&apps[i], s.ArgoCDNamespace) == v {
			return &apps[i]
		}
	}
	return nil
}

// managedBy says which Argo CD Application tracks a live object, from its
// tracking-id annotation, then the instance label, then the apps'
// status.resources. It returns "" when none does.
func managedBy(s *Snapshot, obj *unstructured.Unstructured) string {
	describe := func(instance, how string) string {
		if app := appByInstance(s, instance); app != nil {
			return fmt.Sprintf("Application %s/%s (%s)", app.Namespace, app.Name, how)
		}
		return fmt.Sprintf("Argo CD app instance %q (%s; no such Application found)", instance, how)
	}
	if v := obj.GetAnnotations()[argocd.TrackingIDAnnotation]; v != "" {
		if id, ok := parseTrackingID(v); ok {
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
	apps := allApplications(s)
	for i := range apps {
		for _, r := range apps[i].Status.Resources {
			if r.Group == gvk.Group && r.Kind == gvk.Kind && r.Namespace == obj.GetNamespace() && r.Name == obj.GetName() {
				return fmt.Sprintf("Application %s/%s (listed in its status.resources)", apps[i].Namespace, apps[i].Name)
			}
		}
	}
	return ""
}
