package server

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestAnswersMatchTheOpenAPIDocument calls every route as every role that
// may, and validates each JSON answer, success or error, against the schema
// the served document gives for that status (JSON Schema 2020-12, as
// OpenAPI 3.1 uses): the document is the dashboard's contract.
func TestAnswersMatchTheOpenAPIDocument(t *testing.T) {
	e := newEnv(t, dev)
	a := e.addTenant("alpha")
	f := newMatrixFixture(e, a)
	raw := e.do("GET", "/openapi.json", "", nil).want(200).Body
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	pointer := func(parts ...string) string {
		for i, p := range parts {
			parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1")
		}
		return "openapi.json#/" + strings.Join(parts, "/")
	}
	validated := 0
	validate := func(rt Route, role string, res *response) {
		t.Helper()
		if res.Status == 204 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			return
		}
		sch, err := c.Compile(pointer("paths", Prefix+rt.Path, strings.ToLower(rt.Method), "responses", strconv.Itoa(res.Status),
			"content", "application/json", "schema"))
		if err != nil {
			t.Errorf("%s %s answered %d, which the document does not describe: %v", rt.Method, rt.Path, res.Status, err)
			return
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		validated++
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s %s as %s (%d) does not match its schema: %v\n%.400s", rt.Method, rt.Path, role, res.Status, err, res.Body)
		}
	}
	for _, rt := range Routes() {
		for _, role := range Roles {
			mk := routeCases[rt.Method+" "+rt.Path]
			if mk == nil {
				t.Fatalf("%s %s has no case", rt.Method, rt.Path)
			}
			if GrantOf(role, rt.Perm) == GrantNone && rt.Perm != PermPublic {
				validate(rt, role, e.do(rt.Method, pathParam.ReplaceAllString(rt.Path, a.Users[role].ID), a.Tokens[role], nil))
				continue
			}
			rc := mk(f, role)
			tok := a.Tokens[role]
			if rc.token != "" {
				tok = rc.token
			}
			validate(rt, role, e.do(rt.Method, rc.path, tok, rc.body))
		}
		// And a refusal of bad input.
		if rt.Doc.Request != nil {
			validate(rt, "admin", e.do(rt.Method, pathParam.ReplaceAllString(rt.Path, a.Users["admin"].ID), a.Tokens["admin"], `{"nope":1}`))
		}
	}
	if validated < 4*len(Routes())-10 {
		t.Errorf("only %d answers validated", validated)
	}
	var sample map[string]any
	json.Unmarshal(raw, &sample) //nolint:errcheck
	if sample["openapi"] != "3.1.0" {
		t.Error("not an OpenAPI 3.1 document")
	}
}
