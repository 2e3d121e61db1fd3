package oai

import (
	"encoding/json"

	"github.com/aigw/aigw/internal/jsonwalk"
)

// member is one key and value of a JSON object, as bytes of the body.
type member struct{ key, val []byte }

// object is a JSON object read for checking: its members by exact key (as
// the provider's decoder matches them), the last of a repeated key winning
// as it does for Python's json and Go's encoding/json alike.
type object struct {
	n    int
	inl  [6]member
	more []member
}

// members reads the JSON object raw, at p.
func members(raw []byte, p path) (object, *ParamError) {
	var o object
	if len(raw) == 0 || raw[0] != '{' {
		return o, invalidType(p, kObject, raw)
	}
	if jsonwalk.Members(raw, 0, func(key []byte, v, e int) bool {
		o.add(key, raw[v:e])
		return true
	}) {
		return o, nil
	}
	// An escaped key: let a decoder read the keys.
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return o, invalidType(p, kObject, raw)
	}
	o = object{}
	for k, v := range m {
		o.add([]byte(k), v)
	}
	return o, nil
}

func (o *object) add(key, val []byte) {
	if o.n < len(o.inl) {
		o.inl[o.n] = member{key, val}
	} else {
		o.more = append(o.more, member{key, val})
	}
	o.n++
}

func (o *object) at(i int) *member {
	if i < len(o.inl) {
		return &o.inl[i]
	}
	return &o.more[i-len(o.inl)]
}

// raw returns the value of key, or nil when the object has none.
func (o *object) raw(key string) []byte {
	for i := o.n - 1; i >= 0; i-- {
		if m := o.at(i); string(m.key) == key {
			return m.val
		}
	}
	return nil
}

// str returns the string value of key. An absent key (or null) is "" unless
// required.
func (o *object) str(key string, p path, required bool) (string, *ParamError) {
	raw := o.raw(key)
	switch {
	case raw == nil && required:
		return "", missing(p.key(key))
	case raw == nil || (!required && string(raw) == "null"):
		return "", nil
	case raw[0] != '"':
		return "", invalidType(p.key(key), kString, raw)
	}
	s, ok := decodeString(raw)
	if !ok {
		return "", invalidType(p.key(key), kString, raw)
	}
	return s, nil
}

// strLen checks that key holds a string (or, unless required, nothing or
// null) and returns the bytes of its JSON form, quotes excluded, without
// decoding it: image data and files run to megabytes.
func (o *object) strLen(key string, p path, required bool) (int, *ParamError) {
	raw := o.raw(key)
	switch {
	case raw == nil && required:
		return 0, missing(p.key(key))
	case raw == nil || (!required && string(raw) == "null"):
		return 0, nil
	case raw[0] != '"':
		return 0, invalidType(p.key(key), kString, raw)
	}
	return len(raw) - 2, nil
}

// object returns the object value of key; an absent key (or null) is an
// empty object unless required.
func (o *object) object(key string, p path, required bool) (object, *ParamError) {
	raw := o.raw(key)
	switch {
	case raw == nil && required:
		return object{}, missing(p.key(key))
	case raw == nil || (!required && string(raw) == "null"):
		return object{}, nil
	}
	return members(raw, p.key(key))
}

// enum returns the string value of an optional key, which must be one of
// values.
func (o *object) enum(key string, p path, values ...string) (string, *ParamError) {
	s, err := o.str(key, p, false)
	if raw := o.raw(key); err != nil || raw == nil || string(raw) == "null" {
		return s, err
	}
	if !contains(values, s) {
		return "", invalidValue(p.key(key), s, values)
	}
	return s, nil
}
