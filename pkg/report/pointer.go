package report

import "github.com/go-openapi/jsonpointer"

// PointerValue evaluates a JSON pointer (RFC 6901), as the paths of an
// Action's JSON patch name them, in a decoded JSON document; ok is false
// when the path does not exist (a present null is found).
func PointerValue(doc any, pointer string) (value any, ok bool) {
	p, err := jsonpointer.New(pointer)
	if err != nil {
		return nil, false
	}
	value, _, err = p.Get(doc)
	return value, err == nil
}

// PointerToken escapes one map key for a JSON pointer ("/" and "~").
func PointerToken(key string) string { return jsonpointer.Escape(key) }
