package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aigw/aigw/internal/apierr"
)

// defaultMaxBody is the largest JSON body a route accepts unless it says
// otherwise (Route.MaxBody).
const defaultMaxBody = 64 << 10

// decodeJSON reads one JSON object from body (at most max bytes) into v,
// a pointer to a struct. Unknown fields, wrong types, trailing data,
// malformed JSON and invalid UTF-8 are 400s naming the field or offset;
// a body over max is a 413.
func decodeJSON(body io.Reader, max int64, v any) error {
	data, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(max)
		}
		return apierr.New(http.StatusBadRequest, CodeInvalidJSON, "reading the request body failed")
	}
	if int64(len(data)) > max {
		return tooLarge(max)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return apierr.New(http.StatusBadRequest, CodeInvalidJSON, "the request body is empty; want a JSON object")
	}
	if !utf8.Valid(data) {
		return apierr.New(http.StatusBadRequest, CodeInvalidJSON, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apierr.New(http.StatusBadRequest, CodeInvalidJSON, "the request body holds more than one JSON value")
	}
	return nil
}

func tooLarge(max int64) *apierr.Error {
	return apierr.Newf(http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "the request body is larger than %d bytes", max)
}

// jsonError turns a decoding error into a 400 that names the field or the
// offset, never echoing the body.
func jsonError(err error) *apierr.Error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return apierr.Newf(http.StatusBadRequest, CodeInvalidJSON, "malformed JSON at byte %d", syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apierr.New(http.StatusBadRequest, CodeInvalidJSON, "malformed JSON: the body ends early")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apierr.Newf(http.StatusBadRequest, CodeInvalidJSON, "the request body is JSON %s; want an object", typ.Value)
		}
		return badField(field, "got JSON %s, want %s", typ.Value, jsonKind(typ.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return apierr.Newf(http.StatusBadRequest, CodeUnknownField, "unknown field %q", name).WithParam(name)
	}
	var ute *time.ParseError
	if errors.As(err, &ute) {
		return apierr.New(http.StatusBadRequest, CodeInvalidField, "a time is not in RFC 3339 form, such as 2026-01-31T00:00:00Z")
	}
	return apierr.New(http.StatusBadRequest, CodeInvalidJSON, "the request body is not a valid JSON object for this route")
}

// jsonKind names a Go type as JSON calls it.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeOf(time.Time{}):
		return "a string (RFC 3339 time)"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "an integer"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Slice:
		return "an array"
	}
	return "an object"
}

// requireJSON refuses a body whose Content-Type is set and is not JSON.
func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return apierr.New(http.StatusUnsupportedMediaType, CodeInvalidJSON, "Content-Type must be application/json")
	}
	return nil
}

// decodeQuery fills the fields of v (a pointer to a struct) tagged
// `query:"name"` from q: strings, integers, booleans and RFC 3339 times.
// A malformed value or a parameter the route does not know is a 400 naming it.
func decodeQuery(q url.Values, v any) error {
	known := map[string]bool{}
	if err := queryFields(q, reflect.ValueOf(v).Elem(), known); err != nil {
		return err
	}
	for name := range q {
		if name == "" {
			return apierr.New(http.StatusBadRequest, CodeUnknownField, "a query parameter has no name").WithParam("query")
		}
		if !known[name] {
			return apierr.Newf(http.StatusBadRequest, CodeUnknownField, "unknown query parameter %q", name).WithParam(name)
		}
	}
	return nil
}

// queryFields sets rv's tagged fields, embedded structs' included, and
// notes their names in known.
func queryFields(q url.Values, rv reflect.Value, known map[string]bool) error {
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if err := queryFields(q, rv.Field(i), known); err != nil {
				return err
			}
			continue
		}
		name := f.Tag.Get("query")
		if name == "" {
			continue
		}
		known[name] = true
		vals, ok := q[name]
		if !ok {
			continue
		}
		if len(vals) != 1 {
			return badField(name, "give it once")
		}
		if err := setQueryField(rv.Field(i), vals[0]); err != nil {
			return badField(name, "%v", err)
		}
	}
	return nil
}

func setQueryField(f reflect.Value, s string) error {
	if !utf8.ValidString(s) || len(s) > 1024 {
		return errors.New("not valid UTF-8 of at most 1024 bytes")
	}
	switch {
	case f.Type() == reflect.TypeOf(time.Time{}):
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return errors.New("want an RFC 3339 time such as 2026-01-31T00:00:00Z")
		}
		f.Set(reflect.ValueOf(t))
	case f.Kind() == reflect.String:
		f.SetString(s)
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return errors.New("want an integer")
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("want true or false")
		}
		f.SetBool(b)
	default:
		return fmt.Errorf("unsupported query field type %s", f.Type())
	}
	return nil
}
