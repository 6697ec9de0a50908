package argocd

import "strings"

// TrackingID is a parsed argocd.argoproj.io/tracking-id annotation:
// <app-instance>:<group>/<kind>:<namespace>/<name>.
type TrackingID struct {
	AppInstance string
	Group       string
	Kind        string
	Namespace   string
	Name        string
}

// ParseTrackingID reads a tracking-id annotation value.
func ParseTrackingID(v string) (TrackingID, bool) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 || parts[0] == "" {
		return TrackingID{}, false
	}
	group, kind, ok := strings.Cut(parts[1], "/")
	if !ok || kind == "" {
		return TrackingID{}, false
	}
	ns, name, ok := strings.Cut(parts[2], "/")
	if !ok || name == "" {
		return TrackingID{}, false
	}
	return TrackingID{AppInstance: parts[0], Group: group, Kind: kind, Namespace: ns, Name: name}, true
}

// InstanceName is the value Argo CD writes into tracking labels and
// annotations: the app's name, prefixed with "<namespace>_" for apps
// outside the control namespace.
func (a *Application) InstanceName(controlNamespace string) string {
	if a.Namespace == "" || a.Namespace == controlNamespace {
		return a.Name
	}
	return a.Namespace + "_" + a.Name
}

// ProjectName is the app's AppProject; Argo CD reads an empty
// spec.project as "default".
func (a *Application) ProjectName() string {
	if a.Spec.Project == "" {
		return DefaultProject
	}
	return a.Spec.Project
}

// DefaultProject is the project Argo CD creates and assumes.
const DefaultProject = "default"
