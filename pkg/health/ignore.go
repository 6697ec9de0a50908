package health

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// IgnoreHealthcheckAnnotation, set to "true", keeps an object out of its
// app's health (Argo CD v2.14 reads it from the target manifest, v3.5 from
// the live object; argofix sees only the live object, which carries the
// manifest's annotations once synced).
const IgnoreHealthcheckAnnotation = "argocd.argoproj.io/ignore-healthcheck"

// Ignored tells whether the object opts out of its app's health.
func Ignored(obj *unstructured.Unstructured) bool {
	return obj != nil && obj.GetAnnotations()[IgnoreHealthcheckAnnotation] == "true"
}

// LuaOverride is what argofix says of a kind whose health Argo CD takes
// from a Lua script in argocd-cm: it runs before (and instead of) the
// built-in rule, and argofix does not run Lua.
const LuaOverride = "Argo CD uses a Lua override here; argofix did not evaluate it"

// NoApplicationRule is what argofix says of a nested Application (app of
// apps): Argo CD has had no built-in health for it since v1.8, so without
// a Lua override the parent neither waits on it nor shows its health.
const NoApplicationRule = "a nested Application has no built-in health in Argo CD: the parent waits on it only through the argocd-cm key resource.customizations.health.argoproj.io_Application"
