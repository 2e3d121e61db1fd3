package oai

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/aigw/aigw/internal/jsonwalk"
)

// ParamError is a request refused before any provider call, naming the
// parameter and worded as OpenAI words its own 400s, so clients see the same
// error whether the gateway or the provider refuses.
type ParamError struct {
	// Param is the offending parameter's path, such as
	// "messages[1].content[0].type".
	Param string
	// Code is OpenAI's code for it: invalid_type, invalid_value,
	// missing_required_parameter, decimal_above_max_value, ...
	Code string
	// Message is safe to show the client: it never quotes prompt text.
	Message string
}

func (e *ParamError) Error() string { return e.Message }

// Codes of ParamError.
const (
	CodeInvalidType  = "invalid_type"
	CodeInvalidValue = "invalid_value"
	CodeMissing      = "missing_required_parameter"
	CodeEncoding     = "invalid_encoding"
)

// kind is a set of JSON value kinds.
type kind uint8

const (
	kNull kind = 1 << iota
	kBool
	kInt // a number without a fraction or an exponent
	kNumber
	kString
	kObject
	kArray
)

// kindOf returns the kind of the JSON value raw (valid JSON).
func kindOf(raw []byte) kind {
	if len(raw) == 0 {
		return 0
	}
	switch raw[0] {
	case 'n':
		return kNull
	case 't', 'f':
		return kBool
	case '"':
		return kString
	case '{':
		return kObject
	case '[':
		return kArray
	}
	for _, c := range raw {
		if c == '.' || c == 'e' || c == 'E' {
			return kNumber
		}
	}
	return kInt | kNumber
}

var kindNames = []struct {
	k    kind
	name string
}{
	{kString, "a string"}, {kInt, "an integer"}, {kNumber, "a decimal"}, {kBool, "a boolean"},
	{kObject, "an object"}, {kArray, "an array"}, {kNull, "null"},
}

// describe names a set of kinds as OpenAI's messages do: "a decimal", "one
// of a string or an array".
func (k kind) describe() string {
	if k != kNull {
		k &^= kNull // null is implied, as OpenAI leaves it out
	}
	var names []string
	for _, kn := range kindNames {
		if k&kn.k == 0 || kn.k == kInt && k&kNumber != 0 { // a decimal covers integers
			continue
		}
		names = append(names, kn.name)
	}
	switch len(names) {
	case 0:
		return "a value"
	case 1:
		return names[0]
	}
	return "one of " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// gotName names the kind of raw for "but got ... instead".
func gotName(raw []byte) string {
	switch k := kindOf(raw); {
	case k == 0:
		return "nothing"
	case k&kInt != 0:
		return "an integer"
	default:
		return k.describe()
	}
}

func invalidType(p path, want kind, raw []byte) *ParamError {
	param := p.String()
	return &ParamError{Param: param, Code: CodeInvalidType,
		Message: fmt.Sprintf("Invalid type for '%s': expected %s, but got %s instead.", param, want.describe(), gotName(raw))}
}

func invalidValue(p path, got string, supported []string) *ParamError {
	param := p.String()
	quoted := make([]string, len(supported))
	for i, s := range supported {
		quoted[i] = "'" + s + "'"
	}
	list := strings.Join(quoted, ", ")
	if n := len(quoted); n > 1 {
		list = strings.Join(quoted[:n-1], ", ") + " and " + quoted[n-1]
	}
	if len(got) > 64 {
		got = got[:64] + "..."
	}
	return &ParamError{Param: param, Code: CodeInvalidValue,
		Message: fmt.Sprintf("Invalid value for '%s': '%s'. Supported values are: %s.", param, got, list)}
}

func missing(p path) *ParamError {
	param := p.String()
	return &ParamError{Param: param, Code: CodeMissing, Message: fmt.Sprintf("Missing required parameter: '%s'.", param)}
}

// outOfRange says that a number is outside [lo, hi]; integer says which
// word OpenAI uses for it.
func outOfRange(p path, v, lo, hi float64, integer bool) *ParamError {
	param := p.String()
	word, code := "decimal", "decimal"
	if integer {
		word, code = "integer", "integer"
	}
	if v < lo {
		return &ParamError{Param: param, Code: code + "_below_min_value", Message: fmt.Sprintf(
			"Invalid '%s': %s below minimum value. Expected a value >= %s, but got %s instead.", param, word, fmtNum(lo), fmtNum(v))}
	}
	return &ParamError{Param: param, Code: code + "_above_max_value", Message: fmt.Sprintf(
		"Invalid '%s': %s above maximum value. Expected a value <= %s, but got %s instead.", param, word, fmtNum(hi), fmtNum(v))}
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// spec is what a request parameter may hold.
type spec struct {
	kinds  kind
	ranged bool
	lo, hi float64
	enum   []string                             // allowed strings, when a string
	elems  kind                                 // kind of each element, when an array (0: any)
	deep   func(raw []byte, p path) *ParamError // further checks of an object or array
}

// check checks raw, the value at p, against s.
func (s *spec) check(raw []byte, p path) *ParamError {
	k := kindOf(raw)
	if k&s.kinds == 0 {
		return invalidType(p, s.kinds, raw)
	}
	switch {
	case k == kNull:
		return nil
	case k&kNumber != 0 && s.ranged:
		v, err := strconv.ParseFloat(string(raw), 64)
		if err == nil && (v < s.lo || v > s.hi) {
			return outOfRange(p, v, s.lo, s.hi, s.kinds&kNumber == 0)
		}
	case k == kString && s.enum != nil:
		if v, ok := decodeString(raw); ok && !contains(s.enum, v) {
			return invalidValue(p, v, s.enum)
		}
	case k == kArray && s.elems != 0:
		if err := checkElems(raw, p, s.elems); err != nil {
			return err
		}
	}
	if s.deep != nil && k&(kObject|kArray) != 0 {
		return s.deep(raw, p)
	}
	return nil
}

// decodeString decodes the JSON string raw.
func decodeString(raw []byte) (string, bool) {
	text, ok := jsonwalk.String(raw)
	return string(text), ok
}

// checkElems checks that every element of the array raw is of kind want.
func checkElems(raw []byte, p path, want kind) *ParamError {
	return elements(raw, p, func(e []byte, ep path) *ParamError {
		if kindOf(e)&want == 0 {
			return invalidType(ep, want, e)
		}
		return nil
	})
}

// elements runs check on every element of the JSON array raw.
func elements(raw []byte, p path, check func(e []byte, ep path) *ParamError) *ParamError {
	if kindOf(raw) != kArray {
		return invalidType(p, kArray, raw)
	}
	var err *ParamError
	i := 0
	ok := jsonwalk.Elements(raw, 0, func(v, e int) bool {
		err = check(raw[v:e], p.index(i))
		i++
		return err == nil
	})
	if err == nil && !ok {
		err = invalidType(p, kArray, raw)
	}
	return err
}

// eachObject runs check on every element of the array raw, each an object.
func eachObject(raw []byte, p path, check func(o *object, p path) *ParamError) *ParamError {
	return elements(raw, p, func(e []byte, ep path) *ParamError {
		o, err := members(e, ep)
		if err == nil {
			err = check(&o, ep)
		}
		return err
	})
}

// valuesOf checks every value of the object raw against want (and range).
func valuesOf(raw []byte, p path, want kind, lo, hi float64, ranged bool) *ParamError {
	o, err := members(raw, p)
	if err != nil {
		return err
	}
	s := spec{kinds: want, lo: lo, hi: hi, ranged: ranged}
	for i := 0; i < o.n; i++ {
		m := o.at(i)
		if err := s.check(m.val, p.key(string(m.key))); err != nil {
			return err
		}
	}
	return nil
}

// TypeError turns a decoding error of encoding/json that names a field (a
// value of the wrong type) into a ParamError; it returns nil for others.
func TypeError(err error) *ParamError {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field == "" {
		return nil
	}
	var want kind
	switch t := te.Type; {
	case t == nil:
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Int, t.Kind() == reflect.Int:
		want = kInt
	default:
		want = map[reflect.Kind]kind{reflect.String: kString, reflect.Bool: kBool, reflect.Float64: kNumber,
			reflect.Slice: kArray, reflect.Struct: kObject, reflect.Map: kObject, reflect.Pointer: kObject}[t.Kind()]
	}
	got := map[string]string{"string": "a string", "bool": "a boolean", "array": "an array", "object": "an object"}[te.Value]
	if n, ok := strings.CutPrefix(te.Value, "number "); got == "" && ok {
		got = "a decimal"
		if !strings.ContainsAny(n, ".eE") {
			got = "an integer"
		}
	} else if got == "" {
		got = "a number" // encoding/json does not say which
	}
	return &ParamError{Param: te.Field, Code: CodeInvalidType,
		Message: fmt.Sprintf("Invalid type for '%s': expected %s, but got %s instead.", te.Field, want.describe(), got)}
}
