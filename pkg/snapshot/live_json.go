package snapshot

import (
	"bytes"
	"errors"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// The live objects are kept as their JSON, trimmed (live_keep.go), and
// decoded when a check asks (Snapshot.LiveObject): as unstructured maps
// they took about three times the bytes of their JSON, and decoding every
// listed object into maps was half the CPU of a whole-cluster diagnosis.
// A page of a list is validated whole, its items are found with gjson
// and the kept ones trimmed with sjson: nothing is decoded.

var errJSON = errors.New("malformed JSON")

// livePage is what a page of a list says besides its items.
type livePage struct {
	apiVersion, kind, cont string
}

// scanLivePage validates one page of a list and hands each item, a slice
// of data, to fn. The items' kind is the list's without "List".
func scanLivePage(data []byte, fn func(page livePage, item []byte) error) (livePage, error) {
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' || !gjson.ValidBytes(t) {
		return livePage{}, errJSON
	}
	r := gjson.GetManyBytes(data, "apiVersion", "kind", "metadata.continue", "items")
	page := livePage{apiVersion: r[0].Str, kind: r[1].Str, cont: r[2].Str}
	if k, ok := strings.CutSuffix(page.kind, "List"); ok && k != "" {
		page.kind = k
	}
	items := r[3]
	switch {
	case !items.Exists() || items.Type == gjson.Null:
		return page, nil
	case !items.IsArray():
		return page, errJSON
	}
	var err error
	items.ForEach(func(_, item gjson.Result) bool {
		if !item.IsObject() || item.Index == 0 {
			err = errJSON
			return false
		}
		// Index is the item's place in data: a slice, not a copy.
		err = fn(page, data[item.Index:item.Index+len(item.Raw)])
		return err == nil
	})
	return page, err
}

// liveItem is one item of a list of live objects: its JSON (valid, an
// object), namespace and name.
type liveItem struct {
	raw             []byte
	namespace, name string
	hasKind         bool
}

func newLiveItem(raw []byte) liveItem {
	r := gjson.GetManyBytes(raw, "metadata.namespace", "metadata.name", "kind")
	return liveItem{raw: raw, namespace: r[0].Str, name: r[1].Str, hasKind: r[2].Exists()}
}

// trimmedPaths are what a Synced object's copy drops: no check reads
// them. configDataPaths are dropped too of a ConfigMap or Secret.
var (
	trimmedPaths    = []string{"metadata.managedFields", "metadata.annotations." + gjson.Escape(lastAppliedAnnotation)}
	configDataPaths = []string{"data", "binaryData", "stringData"}
)

// liveJSON returns the object's JSON as kept: with apiVersion and kind
// (list items carry neither), and, unless whole, without managedFields,
// the last-applied annotation and, of a ConfigMap or Secret, the data.
// The result is a copy of exactly its length: it never holds on to the
// page the item came from.
func (it liveItem) liveJSON(apiVersion, kind string, whole, configData bool) ([]byte, error) {
	out := it.raw
	var drop []string
	if !whole {
		drop = trimmedPaths
		if configData {
			drop = append(drop[:len(drop):len(drop)], configDataPaths...)
		}
	}
	var err error
	for _, path := range drop {
		// A path that is not there leaves out as it was.
		if out, err = sjson.DeleteBytes(out, path); err != nil {
			return nil, err
		}
	}
	if !it.hasKind {
		if out, err = sjson.SetBytes(out, "apiVersion", apiVersion); err != nil {
			return nil, err
		}
		if out, err = sjson.SetBytes(out, "kind", kind); err != nil {
			return nil, err
		}
	}
	return bytes.Clone(out), nil
}
