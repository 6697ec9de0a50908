package fixes

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

// inverse is the request that undoes an applied action, from the object
// before and after it; when there is none, it says why.
func inverse(a report.Action, before, after map[string]any) (*report.Action, string) {
	switch a.Verb {
	case report.VerbCreate:
		return deleteCreated(a, after)
	case report.VerbDelete:
		return recreate(a, before)
	case report.VerbUpdate:
		if a.Subresource == "finalize" {
			return nil, "a namespace's spec.finalizers cannot be given back once cleared"
		}
		return nil, "an update of a subresource is not restorable"
	case report.VerbPatch:
		return revertPatch(a, before, after)
	}
	return nil, "unknown verb " + a.Verb
}

func deleteCreated(a report.Action, after map[string]any) (*report.Action, string) {
	undo := a
	undo.Verb, undo.Body, undo.PatchType = report.VerbDelete, nil, ""
	// Bound to the object created, not one created later under the name.
	if uid, ok := report.PointerValue(after, "/metadata/uid"); ok {
		undo.UID, _ = uid.(string)
	}
	return &undo, ""
}

func recreate(a report.Action, before map[string]any) (*report.Action, string) {
	if a.Resource == "pods" && a.Group == "" {
		return nil, "a force-deleted pod is gone; its controller creates a new one"
	}
	if before == nil {
		return nil, "its prior state was not read"
	}
	if _, deleting := report.PointerValue(before, "/metadata/deletionTimestamp"); deleting {
		return nil, "it was already being deleted"
	}
	obj := map[string]any{}
	for k, v := range before {
		if k != "status" {
			obj[k] = v
		}
	}
	meta, _ := obj["metadata"].(map[string]any)
	clean := map[string]any{}
	for k, v := range meta {
		switch k {
		case "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields":
		default:
			clean[k] = v
		}
	}
	obj["metadata"] = clean
	undo := a
	undo.Verb, undo.UID, undo.GracePeriodSeconds = report.VerbCreate, "", nil
	undo.Body = report.JSONBody(obj)
	return &undo, ""
}

// revertPatch restores, path by path, what the patch changed, testing
// first that each path still holds what the patch wrote: a later change by
// someone else is not undone blindly.
func revertPatch(a report.Action, before, after map[string]any) (*report.Action, string) {
	paths, err := patchedPaths(a)
	if err != nil {
		return nil, "its patch could not be read: " + err.Error()
	}
	_, deleting := report.PointerValue(before, "/metadata/deletionTimestamp")
	var ops []map[string]any
	for _, p := range revertedPaths(paths) {
		switch {
		case strings.HasPrefix(p, "/status"):
			return nil, "it changed status, which the controller has acted on since"
		case strings.HasPrefix(p, "/metadata/finalizers") && deleting:
			return nil, "finalizers cannot be re-added to an object that is being deleted"
		}
		now, present := report.PointerValue(after, p)
		old, existed := report.PointerValue(before, p)
		if present {
			ops = append(ops, map[string]any{"op": "test", "path": p, "value": now})
		} else if existed {
			// Putting back what the fix removed: an absent path cannot be
			// tested, so bind the undo to the object as the fix left it.
			rv, _ := report.PointerValue(after, "/metadata/resourceVersion")
			ops = append(ops, map[string]any{"op": "test", "path": "/metadata/resourceVersion", "value": rv})
		}
		switch {
		case existed && present:
			ops = append(ops, map[string]any{"op": "replace", "path": p, "value": old})
		case existed:
			ops = append(ops, map[string]any{"op": "add", "path": p, "value": old})
		case present:
			ops = append(ops, map[string]any{"op": "remove", "path": p})
		}
	}
	if len(ops) == 0 {
		return nil, "its patch changed nothing argofix can put back"
	}
	undo := a
	undo.PatchType = report.PatchJSON
	undo.Body = report.JSONBody(ops)
	return &undo, ""
}

// revertedPaths are the paths an undo restores: an element of a list
// (appended with "/-", or by index) is restored by restoring the whole
// list, whose before and after are known; each path once.
func revertedPaths(paths []string) []string {
	var out []string
	for _, p := range paths {
		if i := strings.LastIndex(p, "/"); i > 0 {
			if last := p[i+1:]; last == "-" || isIndex(last) {
				p = p[:i]
			}
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func isIndex(token string) bool {
	_, err := strconv.Atoi(token)
	return err == nil
}

// patchedPaths are the JSON pointers a patch writes to: the paths of a
// JSON patch's non-test ops, or the leaves of a merge patch.
func patchedPaths(a report.Action) ([]string, error) {
	if a.PatchType == report.PatchMerge {
		var body map[string]any
		if err := json.Unmarshal(a.Body, &body); err != nil {
			return nil, err
		}
		return leaves("", body), nil
	}
	var ops []struct {
		Op   string `json:"op"`
		Path string `json:"path"`
	}
	if err := json.Unmarshal(a.Body, &ops); err != nil {
		return nil, err
	}
	var paths []string
	for _, op := range ops {
		if op.Op != "test" {
			paths = append(paths, op.Path)
		}
	}
	return paths, nil
}

func leaves(prefix string, m map[string]any) []string {
	var out []string
	for k, v := range m {
		p := prefix + "/" + report.PointerToken(k)
		if sub, ok := v.(map[string]any); ok {
			out = append(out, leaves(p, sub)...)
			continue
		}
		out = append(out, p)
	}
	return out
}
