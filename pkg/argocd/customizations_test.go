package argocd

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestHealthOverrides(t *testing.T) {
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: ConfigMapName, UID: "u1", ResourceVersion: "42"},
		Data: map[string]string{
			"resource.customizations.health.networking.k8s.io_Ingress": "hs = {status = 'Healthy'} return hs",
			"resource.customizations.health.Service":                   "return {status = 'Healthy'}",
			"resource.customizations.health.apps_Deployment":           "  ",
			"resource.customizations": `argoproj.io/Application:
  health.lua: |
    return {status = obj.status.health.status}
cert-manager.io/*:
  health.lua: return {status = "Healthy"}
apps/StatefulSet:
  ignoreDifferences: '{}'
`,
		},
	}
	s, err := SettingsFromConfigMap(cm)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		group, kind, key string
		ok               bool
	}{
		{"networking.k8s.io", "Ingress", "resource.customizations.health.networking.k8s.io_Ingress", true},
		{"", "Service", "resource.customizations.health.Service", true},
		{"argoproj.io", "Application", "resource.customizations (argoproj.io/Application)", true},
		{"cert-manager.io", "Certificate", "resource.customizations (cert-manager.io/*)", true},
		{"apps", "Deployment", "", false},  // empty script
		{"apps", "StatefulSet", "", false}, // no health.lua
	} {
		o, ok := s.FindHealthOverride(tt.group, tt.kind)
		if ok != tt.ok || o.Key != tt.key {
			t.Errorf("%s/%s: got %v %q, want %v %q", tt.group, tt.kind, ok, o.Key, tt.ok, tt.key)
		}
	}
	if s.ConfigMap != (ConfigMapState{UID: "u1", ResourceVersion: "42", HasData: true}) {
		t.Errorf("ConfigMap state %+v", s.ConfigMap)
	}
	if got := HealthOverrideKey("", "Service"); got != "resource.customizations.health.Service" {
		t.Errorf("key %q", got)
	}
}
