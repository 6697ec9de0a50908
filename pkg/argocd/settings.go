package argocd

import (
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Names of the ConfigMaps that configure an Argo CD installation.
const (
	ConfigMapName        = "argocd-cm"
	CmdParamsConfigMap   = "argocd-cmd-params-cm"
	RBACConfigMapName    = "argocd-rbac-cm"
	DefaultInstanceKey   = "app.kubernetes.io/instance"
	TrackingIDAnnotation = "argocd.argoproj.io/tracking-id"
)

// Settings are the argocd-cm values that change what argofix concludes.
type Settings struct {
	// Found is false when argocd-cm does not exist; the defaults then apply.
	Found               bool
	InClusterEnabled    bool
	InstanceLabelKey    string
	TrackingMethod      string
	ReconciliationAfter time.Duration
	// Raw keeps every key, for checks that read customisations.
	Raw map[string]string
}

// DefaultSettings are Argo CD's defaults when argocd-cm sets nothing.
func DefaultSettings() Settings {
	return Settings{
		InClusterEnabled:    true,
		InstanceLabelKey:    DefaultInstanceKey,
		ReconciliationAfter: 120 * time.Second,
		Raw:                 map[string]string{},
	}
}

// SettingsFromConfigMap reads argocd-cm. A malformed value is an error that
// names the key, because a guess would make every later conclusion suspect.
func SettingsFromConfigMap(cm *corev1.ConfigMap) (Settings, error) {
	s := DefaultSettings()
	if cm == nil {
		return s, nil
	}
	s.Found = true
	for k, v := range cm.Data {
		s.Raw[k] = v
	}
	where := fmt.Sprintf("ConfigMap %s/%s", cm.Namespace, cm.Name)
	if v, ok := cm.Data["cluster.inClusterEnabled"]; ok && v != "" {
		enabled, err := strconv.ParseBool(v)
		if err != nil {
			return s, fmt.Errorf("%s: cluster.inClusterEnabled is %q, want true or false", where, v)
		}
		s.InClusterEnabled = enabled
	}
	if v := cm.Data["application.instanceLabelKey"]; v != "" {
		s.InstanceLabelKey = v
	}
	if v := cm.Data["application.resourceTrackingMethod"]; v != "" {
		switch v {
		case "label", "annotation", "annotation+label":
			s.TrackingMethod = v
		default:
			return s, fmt.Errorf("%s: application.resourceTrackingMethod is %q, want label, annotation or annotation+label", where, v)
		}
	}
	if v := cm.Data["timeout.reconciliation"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return s, fmt.Errorf("%s: timeout.reconciliation is %q, want a duration such as 180s", where, v)
		}
		s.ReconciliationAfter = d
	}
	return s, nil
}
