package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// Verbs an Action may use.
const (
	VerbCreate = "create"
	VerbPatch  = "patch"
	VerbUpdate = "update"
	VerbDelete = "delete"
)

// Patch types an Action may send, named as kubectl's --type names them.
const (
	PatchJSON  = "json"
	PatchMerge = "merge"
)

// Action is one API request of a fix, as data. pkg/fixes executes exactly
// these; Command renders them for people, so the two cannot disagree.
//
// Every Action that changes something a racing writer could also change is
// bound to the object as diagnosed: a JSON patch starts with a `test` of
// the value it replaces, an update carries metadata.resourceVersion, a
// delete carries the object's UID (a pod recreated under the same name is
// not the one diagnosed), and a create fails if the object exists
// meanwhile. A merge patch only adds annotations, which loses no other
// writer's change.
type Action struct {
	Verb     string `json:"verb"`
	Group    string `json:"group"`
	Version  string `json:"version"`
	Resource string `json:"resource"`
	// Kind is the object's kind, for people and for undo.
	Kind        string `json:"kind"`
	Namespace   string `json:"namespace,omitempty"`
	Name        string `json:"name"`
	Subresource string `json:"subresource,omitempty"`
	// PatchType is json or merge, for Verb patch.
	PatchType string `json:"patchType,omitempty"`
	// Body is the patch, or the whole object for create and update.
	Body json.RawMessage `json:"body,omitempty"`
	// UID is the delete precondition (a patch or an update carries its
	// precondition in Body).
	UID string `json:"uid,omitempty"`
	// GracePeriodSeconds, on a delete, is kubectl's --grace-period (0 with
	// --force for pods on a lost node).
	GracePeriodSeconds *int64 `json:"gracePeriodSeconds,omitempty"`
}

// Ref is the object the action changes.
func (a Action) Ref() ObjectRef {
	return ObjectRef{Group: a.Group, Kind: a.Kind, Namespace: a.Namespace, Name: a.Name}
}

// kubectlResource is how kubectl names the resource: plural, qualified by
// its group unless it is the core group.
func (a Action) kubectlResource() string {
	if a.Group == "" {
		return a.Resource
	}
	return a.Resource + "." + a.Group
}

// rawPath is the REST path of the object (and its subresource), for
// `kubectl replace --raw`.
func (a Action) rawPath() string {
	prefix := "/apis/" + a.Group + "/" + a.Version
	if a.Group == "" {
		prefix = "/api/" + a.Version
	}
	path := prefix
	if a.Namespace != "" {
		path += "/namespaces/" + a.Namespace
	}
	path += "/" + a.Resource + "/" + a.Name
	if a.Subresource != "" {
		path += "/" + a.Subresource
	}
	return path
}

// Kubectl renders the action as the kubectl command a person would run to
// make the same request, with its body (a heredoc) when it has one.
func (a Action) Kubectl() string {
	ns := ""
	if a.Namespace != "" {
		ns = "-n " + a.Namespace + " "
	}
	switch a.Verb {
	case VerbPatch:
		sub := ""
		if a.Subresource != "" {
			sub = " --subresource " + a.Subresource
		}
		return fmt.Sprintf("kubectl %spatch %s %s%s --type %s -p '%s'", ns, a.kubectlResource(), a.Name, sub, a.PatchType, a.Body)
	case VerbCreate:
		return "kubectl create -f - <<'EOF'\n" + a.Manifest() + "EOF"
	case VerbUpdate:
		return fmt.Sprintf("kubectl replace --raw %s -f - <<'EOF'\n%s\nEOF", a.rawPath(), a.Body)
	case VerbDelete:
		cmd := fmt.Sprintf("kubectl %sdelete %s %s", ns, a.kubectlResource(), a.Name)
		if a.GracePeriodSeconds != nil {
			cmd += fmt.Sprintf(" --grace-period=%d", *a.GracePeriodSeconds)
			if *a.GracePeriodSeconds == 0 {
				cmd += " --force"
			}
		}
		return cmd
	}
	return fmt.Sprintf("# unknown verb %q on %s", a.Verb, a.Ref())
}

// Manifest is the body as YAML, for a create: what people read and apply.
func (a Action) Manifest() string {
	out, err := yaml.JSONToYAML(a.Body)
	if err != nil {
		return string(a.Body) + "\n"
	}
	return string(out)
}

// KubectlCommands renders a list of actions, one command per line.
func KubectlCommands(actions []Action) string {
	lines := make([]string, 0, len(actions))
	for _, a := range actions {
		lines = append(lines, a.Kubectl())
	}
	return strings.Join(lines, "\n")
}

// JSONBody marshals a patch or an object for Action.Body. Bodies are built
// from maps and strings, which always marshal; a failure is a bug, and is
// kept visible in the body rather than hidden.
func JSONBody(v any) json.RawMessage {
	out, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(fmt.Sprintf(`{"error":%q}`, err.Error()))
	}
	return out
}

// FormatTime prints times in UTC RFC 3339, as kubectl get -o yaml shows
// them: the one time format of evidence and reports.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// NewAction starts an Action on the object ref through resource gvr.
func NewAction(verb string, gvr schema.GroupVersionResource, ref ObjectRef) Action {
	return Action{Verb: verb, Group: gvr.Group, Version: gvr.Version, Resource: gvr.Resource,
		Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name}
}

// JSONPatchAction is a JSON patch; its ops start with the tests that bind
// it to the object as diagnosed.
func JSONPatchAction(gvr schema.GroupVersionResource, ref ObjectRef, ops []map[string]any) Action {
	a := NewAction(VerbPatch, gvr, ref)
	a.PatchType = PatchJSON
	a.Body = JSONBody(ops)
	return a
}

// AnnotateAction sets one annotation with a merge patch: adding a key
// loses no other writer's change, so it needs no precondition.
func AnnotateAction(gvr schema.GroupVersionResource, ref ObjectRef, key, value string) Action {
	a := NewAction(VerbPatch, gvr, ref)
	a.PatchType = PatchMerge
	a.Body = JSONBody(map[string]any{"metadata": map[string]any{"annotations": map[string]string{key: value}}})
	return a
}

// RestartedAtAnnotation is the pod-template annotation `kubectl rollout
// restart` sets: changing it rolls the workload's pods.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

// RolloutRestartAction restarts a workload (Deployment, StatefulSet,
// DaemonSet) as `kubectl rollout restart` does, by setting the pod-template
// annotation kubectl.kubernetes.io/restartedAt to at. The JSON patch first
// tests the workload's uid and metadata.generation: it applies only to the
// object as diagnosed, with the spec as diagnosed (a spec changed meanwhile
// is a conflict, not a blind restart). hasTemplateAnnotations tells whether
// the pod template has annotations already: then one key is added, else
// the map.
func RolloutRestartAction(gvr schema.GroupVersionResource, ref ObjectRef, uid string, generation int64, hasTemplateAnnotations bool, at time.Time) Action {
	stamp := at.UTC().Format(time.RFC3339)
	ops := []map[string]any{
		{"op": "test", "path": "/metadata/uid", "value": uid},
		{"op": "test", "path": "/metadata/generation", "value": generation},
	}
	if hasTemplateAnnotations {
		ops = append(ops, map[string]any{"op": "add", "path": "/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt", "value": stamp})
	} else {
		ops = append(ops, map[string]any{"op": "add", "path": "/spec/template/metadata/annotations", "value": map[string]string{RestartedAtAnnotation: stamp}})
	}
	return JSONPatchAction(gvr, ref, ops)
}
