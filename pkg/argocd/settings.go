package argocd

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

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
	Found            bool
	InClusterEnabled bool
	InstanceLabelKey string
	TrackingMethod   string
	// ApplicationNamespaces are the patterns of application.namespaces in
	// argocd-cmd-params-cm: namespaces besides the control namespace whose
	// Applications the controller reconciles.
	ApplicationNamespaces []string
	// ApplicationSetNamespaces are the patterns of
	// applicationsetcontroller.namespaces (applicationset.go).
	ApplicationSetNamespaces []string
	// HealthOverrides are argocd-cm's Lua health scripts, and ConfigMap
	// what a guarded patch of argocd-cm binds to (customizations.go).
	HealthOverrides []HealthOverride
	ConfigMap       ConfigMapState
}

// ConfigError is a malformed value in one of Argo CD's ConfigMaps. It is
// not guessed around: a guess would make every later conclusion suspect.
type ConfigError struct {
	Namespace, Name, Key, Value, Want string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("ConfigMap %s/%s: %s is %q, want %s; fix the value (Argo CD misreads it too)", e.Namespace, e.Name, e.Key, e.Value, e.Want)
}

// ReconcilesNamespace tells whether the controller of controlNamespace
// watches Applications in ns. Patterns are globs or /regular expressions/,
// as in Argo CD's glob.MatchStringInList.
func (s Settings) ReconcilesNamespace(controlNamespace, ns string) bool {
	if ns == controlNamespace {
		return true
	}
	for _, pattern := range s.ApplicationNamespaces {
		if len(pattern) > 2 && strings.HasPrefix(pattern, "/") && strings.HasSuffix(pattern, "/") {
			if re, err := regexp.Compile(pattern[1 : len(pattern)-1]); err == nil && re.MatchString(ns) {
				return true
			}
			continue
		}
		if ok, err := path.Match(pattern, ns); err == nil && ok {
			return true
		}
	}
	return false
}

// ReadCmdParams adds what argofix needs from argocd-cmd-params-cm.
func (s *Settings) ReadCmdParams(cm *corev1.ConfigMap) {
	if cm == nil {
		return
	}
	for _, p := range strings.Split(cm.Data["application.namespaces"], ",") {
		if p = strings.TrimSpace(p); p != "" {
			s.ApplicationNamespaces = append(s.ApplicationNamespaces, p)
		}
	}
	s.readAppSetParams(cm)
}

// DefaultSettings are Argo CD's defaults when argocd-cm sets nothing.
func DefaultSettings() Settings {
	return Settings{
		InClusterEnabled: true,
		InstanceLabelKey: DefaultInstanceKey,
	}
}

// SettingsFromConfigMap reads argocd-cm. A malformed value is a *ConfigError.
func SettingsFromConfigMap(cm *corev1.ConfigMap) (Settings, error) {
	s := DefaultSettings()
	if cm == nil {
		return s, nil
	}
	s.Found = true
	s.readCustomizations(cm)
	bad := func(key, want string) error {
		return &ConfigError{Namespace: cm.Namespace, Name: cm.Name, Key: key, Value: cm.Data[key], Want: want}
	}
	if v, ok := cm.Data["cluster.inClusterEnabled"]; ok && v != "" {
		enabled, err := strconv.ParseBool(v)
		if err != nil {
			return s, bad("cluster.inClusterEnabled", "true or false")
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
			return s, bad("application.resourceTrackingMethod", "label, annotation or annotation+label")
		}
	}
	return s, nil
}
