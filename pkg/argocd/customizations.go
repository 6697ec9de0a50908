package argocd

import (
	"path"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// HealthOverridePrefix starts the argocd-cm keys that hold a Lua health
// script for one kind: resource.customizations.health.<group>_<Kind>, the
// core group being just <Kind>.
const HealthOverridePrefix = "resource.customizations.health."

// LegacyCustomizationsKey is the older argocd-cm key holding every
// customization in one YAML map keyed by <group>/<Kind>.
const LegacyCustomizationsKey = "resource.customizations"

// HealthOverride is a Lua health script in argocd-cm for the kinds that
// match Group and Kind (globs, as Argo CD allows).
type HealthOverride struct {
	Group, Kind string
	// Key is the argocd-cm key that holds it.
	Key string
}

// ConfigMapState is what a guarded patch of argocd-cm binds to.
type ConfigMapState struct {
	UID             string
	ResourceVersion string
	// HasData tells whether the ConfigMap has a data map to add keys to.
	HasData bool
}

// HealthOverrideKey is the argocd-cm key of a kind's Lua health script.
func HealthOverrideKey(group, kind string) string {
	if group == "" {
		return HealthOverridePrefix + kind
	}
	return HealthOverridePrefix + group + "_" + kind
}

// FindHealthOverride returns the Lua health override Argo CD would use for
// a kind, if argocd-cm holds one.
func (s Settings) FindHealthOverride(group, kind string) (HealthOverride, bool) {
	for _, o := range s.HealthOverrides {
		if globMatch(o.Group, group) && globMatch(o.Kind, kind) {
			return o, true
		}
	}
	return HealthOverride{}, false
}

func globMatch(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// readCustomizations finds the health overrides of argocd-cm, in both of
// its forms, and the state a guarded patch of it binds to.
func (s *Settings) readCustomizations(cm *corev1.ConfigMap) {
	s.ConfigMap = ConfigMapState{UID: string(cm.UID), ResourceVersion: cm.ResourceVersion, HasData: cm.Data != nil}
	keys := make([]string, 0, len(cm.Data))
	for k := range cm.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		gk, ok := strings.CutPrefix(k, HealthOverridePrefix)
		if !ok || strings.TrimSpace(cm.Data[k]) == "" {
			continue
		}
		group, kind, found := strings.Cut(gk, "_")
		if !found {
			group, kind = "", gk
		}
		s.HealthOverrides = append(s.HealthOverrides, HealthOverride{Group: group, Kind: kind, Key: k})
	}
	var legacy map[string]map[string]any
	if yaml.Unmarshal([]byte(cm.Data[LegacyCustomizationsKey]), &legacy) != nil {
		return
	}
	names := make([]string, 0, len(legacy))
	for k := range legacy {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, gk := range names {
		if script, _ := legacy[gk]["health.lua"].(string); strings.TrimSpace(script) == "" {
			continue
		}
		group, kind, found := strings.Cut(gk, "/")
		if !found {
			group, kind = "", gk
		}
		s.HealthOverrides = append(s.HealthOverrides, HealthOverride{Group: group, Kind: kind, Key: LegacyCustomizationsKey + " (" + gk + ")"})
	}
}
