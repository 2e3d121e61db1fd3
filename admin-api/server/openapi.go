package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func init() {
	addRoutes(Route{Method: "GET", Path: "/openapi.json", Perm: PermPublic, Handle: serveOpenAPI,
		Doc: Doc{Tag: "meta", Summary: "This OpenAPI 3.1 document", Response: map[string]any{}}})
}

var openAPIDoc struct {
	once sync.Once
	body []byte
	err  error
}

func serveOpenAPI(c *Call) error {
	openAPIDoc.once.Do(func() {
		openAPIDoc.body, openAPIDoc.err = json.MarshalIndent(OpenAPI(), "", "  ")
	})
	if openAPIDoc.err != nil {
		return openAPIDoc.err
	}
	c.W.Header().Set("Content-Type", "application/json")
	_, err := c.W.Write(openAPIDoc.body)
	return err
}

// OpenAPI returns the OpenAPI 3.1 document of every registered route, built
// from the routes' declarations: paths, parameters, bodies (JSON Schema from
// the Go types), permissions (x-permission, x-roles) and error answers.
func OpenAPI() map[string]any {
	g := &schemaGen{schemas: map[string]any{}, types: map[string]reflect.Type{}}
	paths := map[string]map[string]any{}
	for i := range registry {
		rt := &registry[i]
		p := Prefix + rt.Path
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = g.operation(rt)
	}
	g.schemas["Error"] = errorSchema()
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "aigw admin API", "version": "1",
			"description": "aigw's management plane. Sign in at /auth/login, then send the token as a bearer token (or use the cookie the sign-in sets, with X-CSRF-Token on unsafe methods). Errors are {\"error\":{\"message\",\"type\",\"code\",\"param\"}}; lists are {\"data\":[...],\"total\":N}."},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.schemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
			},
		},
	}
}

func errorSchema() map[string]any {
	str := map[string]any{"type": "string"}
	nullable := map[string]any{"type": []string{"string", "null"}}
	return map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{
		"error": map[string]any{"type": "object", "required": []string{"message", "type", "code", "param"},
			"properties": map[string]any{"message": str, "type": str, "code": nullable, "param": nullable}},
	}}
}

func (g *schemaGen) operation(rt *Route) map[string]any {
	d := rt.Doc
	op := map[string]any{
		"operationId": operationID(rt),
		"summary":     d.Summary,
		"tags":        []string{d.Tag},
	}
	if d.Description != "" {
		op["description"] = d.Description
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
			"schema": map[string]any{"type": "string", "format": "uuid"}})
	}
	if d.Query != nil {
		params = append(params, g.queryParams(reflect.TypeOf(d.Query))...)
	}
	if params != nil {
		op["parameters"] = params
	}
	if d.Request != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(d.Request), true)}}}
	}
	op["responses"] = g.responses(rt)
	if rt.Perm == PermPublic {
		op["security"] = []any{}
	} else {
		op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}}
		op["x-permission"] = string(rt.Perm)
		roles := map[string]string{}
		for _, role := range Roles {
			roles[role] = string(GrantOf(role, rt.Perm))
		}
		op["x-roles"] = roles
	}
	return op
}

func (g *schemaGen) responses(rt *Route) map[string]any {
	d := rt.Doc
	status := d.Status
	if status == 0 {
		status = http.StatusOK
		if d.Response == nil {
			status = http.StatusNoContent
		}
	}
	out := map[string]any{}
	ok := map[string]any{"description": http.StatusText(status)}
	if d.Response != nil {
		sch := g.schema(reflect.TypeOf(d.Response), false)
		content := map[string]any{}
		types := d.ContentTypes
		if types == nil {
			types = []string{"application/json"}
		}
		for _, ct := range types {
			if ct == "application/json" {
				content[ct] = map[string]any{"schema": sch}
			} else {
				content[ct] = map[string]any{"schema": map[string]any{"type": "string"}}
			}
		}
		ok["content"] = content
	}
	out[strconv.Itoa(status)] = ok
	errs := append([]int{http.StatusBadRequest}, d.Errors...)
	if rt.Perm != PermPublic {
		errs = append(errs, http.StatusUnauthorized, http.StatusForbidden)
	}
	for _, e := range errs {
		out[strconv.Itoa(e)] = map[string]any{"description": http.StatusText(e), "content": map[string]any{
			"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	return out
}

// operationID is the method and the path's words: getUsersUserId.
func operationID(rt *Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, part := range strings.FieldsFunc(rt.Path, func(r rune) bool { return r == '/' || r == '{' || r == '}' || r == '_' || r == '-' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func (g *schemaGen) queryParams(t reflect.Type) []any {
	var out []any
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, g.queryParams(f.Type)...)
			continue
		}
		name := f.Tag.Get("query")
		if name == "" {
			continue
		}
		p := map[string]any{"name": name, "in": "query", "required": f.Tag.Get("required") == "true",
			"schema": g.fieldSchema(f, false)}
		if doc := f.Tag.Get("doc"); doc != "" {
			p["description"] = doc
		}
		out = append(out, p)
	}
	return out
}

// schemaGen turns Go types into JSON Schema (2020-12, as OpenAPI 3.1 uses),
// named struct types becoming components.
type schemaGen struct {
	schemas map[string]any
	types   map[string]reflect.Type
}

var timeType = reflect.TypeOf(time.Time{})
var rawType = reflect.TypeOf(json.RawMessage(nil))

// schema returns t's schema; request says whether fields are required by
// their `required:"true"` tag (requests) or by the absence of omitempty
// (responses).
func (g *schemaGen) schema(t reflect.Type, request bool) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.schema(t.Elem(), request)
		if typ, ok := inner["type"].(string); ok {
			inner["type"] = []string{typ, "null"}
			return inner
		}
		return map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), request)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), request)}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		return g.structRef(t, request)
	}
	panic(fmt.Sprintf("openapi: no schema for %s", t))
}

func (g *schemaGen) structRef(t reflect.Type, request bool) map[string]any {
	name := t.Name()
	if name == "" {
		return g.structSchema(t, request)
	}
	if i := strings.IndexByte(name, '['); i >= 0 { // List[User] becomes ListUser
		name = name[:i] + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, name[i:][strings.LastIndexByte(name[i:], '.')+1:])
	}
	if request {
		name += "Request"
		name = strings.Replace(name, "RequestRequest", "Request", 1)
	}
	if prev, ok := g.types[name]; ok && prev != t {
		panic(fmt.Sprintf("openapi: two types named %s: %s and %s", name, prev, t))
	}
	if _, ok := g.types[name]; !ok {
		g.types[name] = t
		g.schemas[name] = map[string]any{} // placeholder against recursion
		g.schemas[name] = g.structSchema(t, request)
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func (g *schemaGen) structSchema(t reflect.Type, request bool) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, request, props, &required)
	sort.Strings(required)
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func (g *schemaGen) fields(t reflect.Type, request bool, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			g.fields(f.Type, request, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.fieldSchema(f, request)
		if (request && f.Tag.Get("required") == "true") || (!request && !strings.Contains(opts, "omitempty")) {
			*required = append(*required, name)
		}
	}
}

func (g *schemaGen) fieldSchema(f reflect.StructField, request bool) map[string]any {
	s := g.schema(f.Type, request)
	if _, isRef := s["$ref"]; isRef {
		if doc := f.Tag.Get("doc"); doc != "" {
			return map[string]any{"allOf": []any{s}, "description": doc}
		}
		return s
	}
	if doc := f.Tag.Get("doc"); doc != "" {
		s["description"] = doc
	}
	if format := f.Tag.Get("format"); format != "" {
		s["format"] = format
	}
	if enum := f.Tag.Get("enum"); enum != "" {
		var vals []any
		for _, v := range strings.Split(enum, ",") {
			vals = append(vals, v)
		}
		if f.Type.Kind() == reflect.Pointer {
			vals = append(vals, nil)
		}
		s["enum"] = vals
	}
	return s
}
