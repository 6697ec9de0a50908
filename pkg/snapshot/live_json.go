package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
)

// The live objects are kept as their JSON, trimmed (live_keep.go), and
// decoded when a check asks (Snapshot.LiveObject): as unstructured maps
// they took about three times the bytes of their JSON, and decoding every
// listed object into maps was half the CPU of a whole-cluster diagnosis.
// The functions below walk JSON the API server sent (validated first with
// json.Valid: the kept copy) without decoding it: they find where each value ends and
// copy the members that are kept.

var errJSON = errors.New("malformed JSON")

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] ('"').
func stringEnd(b []byte, i int) (int, error) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errJSON
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errJSON
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end, err := stringEnd(b, i)
				if err != nil {
					return 0, err
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errJSON
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\n', '\t', '\r':
			return i, nil
		}
		i++
	}
	return i, nil
}

// eachMember calls fn with the raw (quoted) key and the value of each
// member of the object b holds, in order.
func eachMember(b []byte, fn func(key, value []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errJSON
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for i < len(b) {
		kEnd, err := stringEnd(b, i)
		if err != nil || b[i] != '"' {
			return errJSON
		}
		key := b[i:kEnd]
		i = skipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return errJSON
		}
		i = skipSpace(b, i+1)
		vEnd, err := valueEnd(b, i)
		if err != nil {
			return err
		}
		if err := fn(key, b[i:vEnd]); err != nil {
			return err
		}
		i = skipSpace(b, vEnd)
		if i < len(b) && b[i] == '}' {
			return nil
		}
		if i >= len(b) || b[i] != ',' {
			return errJSON
		}
		i = skipSpace(b, i+1)
	}
	return errJSON
}

// eachElement calls fn with each element of the array b holds.
func eachElement(b []byte, fn func(value []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) {
		return errJSON
	}
	if b[i] == 'n' { // null
		return nil
	}
	if b[i] != '[' {
		return errJSON
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil
	}
	for i < len(b) {
		end, err := valueEnd(b, i)
		if err != nil {
			return err
		}
		if err := fn(b[i:end]); err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ']' {
			return nil
		}
		if i >= len(b) || b[i] != ',' {
			return errJSON
		}
		i = skipSpace(b, i+1)
	}
	return errJSON
}

// appendMember appends "key":value to the object being written in dst,
// after a comma unless it is the first member.
func appendMember(dst []byte, first *bool, key, value []byte) []byte {
	if !*first {
		dst = append(dst, ',')
	}
	*first = false
	dst = append(dst, key...)
	dst = append(dst, ':')
	return append(dst, value...)
}

// jsonString decodes a JSON string value; "" for anything else.
func jsonString(v []byte) string {
	if len(v) < 2 || v[0] != '"' {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return ""
	}
	return s
}

// liveItem is one item of a list of live objects, as the walk found it.
type liveItem struct {
	raw             []byte
	namespace, name string
	hasKind         bool
}

// scanLiveItem finds an item's namespace, name and metadata.
func scanLiveItem(raw []byte) (liveItem, error) {
	it := liveItem{raw: raw}
	err := eachMember(raw, func(key, value []byte) error {
		switch string(key) {
		case `"metadata"`:
			return eachMember(value, func(key, value []byte) error {
				switch string(key) {
				case `"name"`:
					it.name = jsonString(value)
				case `"namespace"`:
					it.namespace = jsonString(value)
				}
				return nil
			})
		case `"kind"`:
			it.hasKind = true
		}
		return nil
	})
	return it, err
}

// configDataKeys are the members of a ConfigMap or Secret that a Synced
// object's copy drops: no check reads its data.
var configDataKeys = map[string]bool{`"data"`: true, `"binaryData"`: true, `"stringData"`: true}

// liveJSON returns the object's JSON as kept: with apiVersion and kind
// (list items carry neither), and, unless whole, without managedFields,
// the last-applied annotation and, of a ConfigMap or Secret, the data.
// dst is scratch space; the result is a copy of exactly its length,
// checked to be valid JSON (only what is kept is validated).
func (it liveItem) liveJSON(dst []byte, apiVersion, kind string, whole, configData bool) ([]byte, error) {
	dst, err := it.appendLiveJSON(dst[:0], apiVersion, kind, whole, configData)
	if err != nil {
		return nil, err
	}
	if !json.Valid(dst) {
		return nil, errJSON
	}
	return bytes.Clone(dst), nil
}

func (it liveItem) appendLiveJSON(dst []byte, apiVersion, kind string, whole, configData bool) ([]byte, error) {
	first := true
	if !it.hasKind {
		dst = append(dst, '{')
		av, _ := json.Marshal(apiVersion)
		k, _ := json.Marshal(kind)
		dst = appendMember(dst, &first, []byte(`"apiVersion"`), av)
		dst = appendMember(dst, &first, []byte(`"kind"`), k)
		if whole {
			rest := it.raw[skipSpace(it.raw, 0)+1:]
			if r := skipSpace(rest, 0); r < len(rest) && rest[r] != '}' {
				dst = append(dst, ',')
			}
			return append(dst, rest...), nil
		}
	} else {
		if whole {
			return append(dst, it.raw...), nil
		}
		dst = append(dst, '{')
	}
	err := eachMember(it.raw, func(key, value []byte) error {
		switch {
		case configData && configDataKeys[string(key)]:
			return nil
		case string(key) == `"metadata"`:
			var err error
			dst, err = appendTrimmedMeta(appendMember(dst, &first, key, nil), value)
			return err
		}
		dst = appendMember(dst, &first, key, value)
		return nil
	})
	return append(dst, '}'), err
}

// lastAppliedKey is the last-applied annotation's key as JSON.
var lastAppliedKey = `"` + lastAppliedAnnotation + `"`

// appendTrimmedMeta appends metadata without managedFields and the
// last-applied annotation.
func appendTrimmedMeta(dst, meta []byte) ([]byte, error) {
	dst = append(dst, '{')
	first := true
	err := eachMember(meta, func(key, value []byte) error {
		switch string(key) {
		case `"managedFields"`:
			return nil
		case `"annotations"`:
			dst = appendMember(dst, &first, key, nil)
			dst = append(dst, '{')
			afirst := true
			err := eachMember(value, func(key, value []byte) error {
				if string(key) != lastAppliedKey {
					dst = appendMember(dst, &afirst, key, value)
				}
				return nil
			})
			dst = append(dst, '}')
			return err
		}
		dst = appendMember(dst, &first, key, value)
		return nil
	})
	return append(dst, '}'), err
}

// livePage is what a page of a list says besides its items.
type livePage struct {
	apiVersion, kind, cont string
}

// scanLivePage walks one page of a list and hands each item to fn (which
// validates what it keeps; the rest is never decoded). The items' kind is the list's without "List".
func scanLivePage(data []byte, fn func(page livePage, item []byte) error) (livePage, error) {
	var page livePage
	var items []byte
	err := eachMember(data, func(key, value []byte) error {
		switch string(key) {
		case `"apiVersion"`:
			page.apiVersion = jsonString(value)
		case `"kind"`:
			k := jsonString(value)
			if len(k) > 4 && k[len(k)-4:] == "List" {
				k = k[:len(k)-4]
			}
			page.kind = k
		case `"metadata"`:
			return eachMember(value, func(key, value []byte) error {
				if string(key) == `"continue"` {
					page.cont = jsonString(value)
				}
				return nil
			})
		case `"items"`:
			items = value
		}
		return nil
	})
	if err != nil || items == nil {
		return page, err
	}
	return page, eachElement(items, func(item []byte) error { return fn(page, item) })
}
