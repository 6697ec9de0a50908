package diagnose

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	apiresource "k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

// lastAppliedAnnotation holds what a client-side apply sent.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// argoCDManagers are the field managers Argo CD applies with: server-side
// apply uses argocd-controller; a client-side apply records the kubectl
// library's own name.
var argoCDManagers = map[string]bool{
	"argocd-controller":             true,
	"argocd-application-controller": true,
	"kubectl-client-side-apply":     true,
}

// genericManagers are managers too broad to trust in
// managedFieldsManagers: people's own kubectl edits would be ignored too.
var genericManagers = map[string]bool{
	"": true, "kubectl": true, "kubectl-edit": true, "kubectl-patch": true, "kubectl-client-side-apply": true,
	"kubectl-scale": true, "before-first-apply": true, "Go-http-client": true,
}

// fieldDrift is one field that differs from what Argo CD applied.
type fieldDrift struct {
	Pointer string // JSON pointer in the live object
	Applied any    // what Argo CD applied (nil: it did not set the field)
	Live    any    // what the object holds (nil: the field is gone)
	Manager string // the field manager that owns it now ("" for none)
	At      *time.Time
	Note    string // why, when it is not another writer (quantity normalisation)
}

// appliedDrift compares what Argo CD applied with the live object: the
// last-applied-configuration annotation for a client-side apply, else the
// fields that managers other than Argo CD's took over after appliedAt (a
// server-side apply). ok is false when neither tells what was applied.
func appliedDrift(obj *unstructured.Unstructured, appliedAt time.Time) (drift []fieldDrift, method string, ok bool) {
	owners := fieldOwners(obj)
	if raw := obj.GetAnnotations()[lastAppliedAnnotation]; raw != "" {
		var applied map[string]any
		if json.Unmarshal([]byte(raw), &applied) != nil {
			return nil, "", false
		}
		for _, d := range compareApplied("", applied, obj.Object) {
			d.Manager, d.At = owners.owner(d.Pointer)
			drift = append(drift, d)
		}
		return drift, "the last-applied-configuration annotation (client-side apply)", true
	}
	if !owners.hasManager(argoCDManagers) {
		return nil, "", false
	}
	for _, e := range owners {
		if argoCDManagers[e.manager] || e.at == nil || !e.at.After(appliedAt) || e.subresource == "status" {
			continue
		}
		for _, p := range e.leaves {
			if !specLike(p) {
				continue
			}
			live, _ := report.PointerValue(obj.Object, p)
			drift = append(drift, fieldDrift{Pointer: p, Live: live, Manager: e.manager, At: e.at})
		}
	}
	sort.Slice(drift, func(i, j int) bool { return drift[i].Pointer < drift[j].Pointer })
	return drift, "the fields of argocd-controller's managedFields entry (server-side apply)", true
}

// specLike tells the fields a manifest sets from status and bookkeeping.
func specLike(p string) bool {
	return !strings.HasPrefix(p, "/status") && !strings.HasPrefix(p, "/metadata/managedFields") &&
		!strings.HasPrefix(p, "/metadata/resourceVersion") && p != "/metadata/annotations/"+escapeJSONPointer(lastAppliedAnnotation)
}

// compareApplied walks what was applied and returns each leaf whose live
// value differs. Lists of objects with a name are matched by name.
func compareApplied(prefix string, applied, live any) []fieldDrift {
	switch a := applied.(type) {
	case map[string]any:
		l, _ := live.(map[string]any)
		var out []fieldDrift
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := prefix + "/" + escapeJSONPointer(k)
			if p == "/status" || p == "/metadata/annotations/"+escapeJSONPointer(lastAppliedAnnotation) {
				continue
			}
			var lv any
			if l != nil {
				lv = l[k]
			}
			out = append(out, compareApplied(p, a[k], lv)...)
		}
		return out
	case []any:
		l, _ := live.([]any)
		var out []fieldDrift
		for i, item := range a {
			j, lv := matchItem(item, i, l)
			if j < 0 {
				out = append(out, fieldDrift{Pointer: prefix + "/" + strconv.Itoa(i), Applied: item})
				continue
			}
			out = append(out, compareApplied(prefix+"/"+strconv.Itoa(j), item, lv)...)
		}
		return out
	}
	if sameScalar(applied, live) {
		return nil
	}
	d := fieldDrift{Pointer: prefix, Applied: applied, Live: live}
	if normalisedQuantity(applied, live) {
		d.Note = fmt.Sprintf("quantity normalised by the API server: %v is stored as %v", applied, live)
	}
	return []fieldDrift{d}
}

// matchItem finds the live list item for an applied one: by name when it
// has one, else by position.
func matchItem(item any, i int, live []any) (int, any) {
	if m, ok := item.(map[string]any); ok {
		if name, ok := m["name"].(string); ok {
			for j, l := range live {
				if lm, ok := l.(map[string]any); ok && lm["name"] == name {
					return j, l
				}
			}
			return -1, nil
		}
	}
	if i < len(live) {
		return i, live[i]
	}
	return -1, nil
}

// sameScalar compares JSON scalars, numbers by value (int64 and float64
// decode differently).
func sameScalar(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case int:
		return float64(n), true
	}
	return 0, false
}

// normalisedQuantity tells two spellings of one quantity (0.5 and 500m).
func normalisedQuantity(a, b any) bool {
	qa, err1 := apiresource.ParseQuantity(fmt.Sprint(a))
	qb, err2 := apiresource.ParseQuantity(fmt.Sprint(b))
	return err1 == nil && err2 == nil && qa.Cmp(qb) == 0
}

// ownedFields is an object's managedFields, each entry's leaves as JSON
// pointers into the live object.
type ownedFields []ownerEntry

type ownerEntry struct {
	manager, operation, subresource string
	at                              *time.Time
	leaves                          []string
}

// fieldOwners reads managedFields, resolving list keys (k:{"name":...},
// i:N, v:...) against the live object so that the pointers use indexes.
func fieldOwners(obj *unstructured.Unstructured) ownedFields {
	var out ownedFields
	for _, e := range obj.GetManagedFields() {
		if e.FieldsV1 == nil {
			continue
		}
		var fields map[string]any
		if json.Unmarshal(e.FieldsV1.GetRawBytes(), &fields) != nil {
			continue
		}
		entry := ownerEntry{manager: e.Manager, operation: string(e.Operation), subresource: e.Subresource}
		if e.Time != nil {
			t := e.Time.Time
			entry.at = &t
		}
		entry.leaves = fieldLeaves("", fields, obj.Object)
		out = append(out, entry)
	}
	return out
}

// fieldLeaves turns a fieldsV1 set into JSON pointers of its leaves.
func fieldLeaves(prefix string, set map[string]any, live any) []string {
	var out []string
	for key, sub := range set {
		if key == "." {
			continue
		}
		subset, _ := sub.(map[string]any)
		var p string
		var next any
		switch {
		case strings.HasPrefix(key, "f:"):
			name := key[2:]
			p = prefix + "/" + escapeJSONPointer(name)
			if m, ok := live.(map[string]any); ok {
				next = m[name]
			}
		case strings.HasPrefix(key, "k:"), strings.HasPrefix(key, "v:"), strings.HasPrefix(key, "i:"):
			i, item := listIndex(key, live)
			if i < 0 {
				continue
			}
			p, next = prefix+"/"+strconv.Itoa(i), item
		default:
			continue
		}
		if len(subset) == 0 || len(subset) == 1 && subset["."] != nil {
			out = append(out, p)
			continue
		}
		out = append(out, fieldLeaves(p, subset, next)...)
	}
	sort.Strings(out)
	return out
}

// listIndex resolves a fieldsV1 list key against the live list.
func listIndex(key string, live any) (int, any) {
	list, _ := live.([]any)
	switch key[:2] {
	case "i:":
		i, err := strconv.Atoi(key[2:])
		if err != nil || i >= len(list) {
			return -1, nil
		}
		return i, list[i]
	case "v:":
		var v any
		if json.Unmarshal([]byte(key[2:]), &v) != nil {
			return -1, nil
		}
		for i, item := range list {
			if sameScalar(item, v) {
				return i, item
			}
		}
	case "k:":
		var want map[string]any
		if json.Unmarshal([]byte(key[2:]), &want) != nil {
			return -1, nil
		}
		for i, item := range list {
			m, _ := item.(map[string]any)
			match := m != nil
			for k, v := range want {
				if match && !sameScalar(m[k], v) {
					match = false
				}
			}
			if match {
				return i, item
			}
		}
	}
	return -1, nil
}

// owner is the manager owning a pointer (or a field above or below it);
// Argo CD's own managers lose to any other.
func (o ownedFields) owner(pointer string) (string, *time.Time) {
	best, at := "", (*time.Time)(nil)
	for _, e := range o {
		for _, l := range e.leaves {
			if l == pointer || strings.HasPrefix(l, pointer+"/") || strings.HasPrefix(pointer, l+"/") {
				if best == "" || argoCDManagers[best] && !argoCDManagers[e.manager] {
					best, at = e.manager, e.at
				}
			}
		}
	}
	return best, at
}

func (o ownedFields) hasManager(set map[string]bool) bool {
	for _, e := range o {
		if set[e.manager] {
			return true
		}
	}
	return false
}
