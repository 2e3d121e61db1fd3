package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestEveryRouteIsDocumentedAndEveryDocumentedRouteAnswers reads the served
// document, calls every operation in it, and checks that the server serves
// nothing else.
func TestEveryRouteIsDocumentedAndEveryDocumentedRouteAnswers(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	res := e.do("GET", "/openapi.json", "", nil).want(http.StatusOK)
	res.decode(&doc)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
			for _, k := range []string{"operationId", "summary", "responses", "tags"} {
				if op[k] == nil {
					t.Errorf("%s %s: no %s", method, path, k)
				}
			}
			// Any id will do: the route must answer, not the router.
			p := strings.TrimPrefix(param.ReplaceAllString(path, "00000000-0000-4000-8000-000000000000"), Prefix)
			r := e.do(strings.ToUpper(method), p, a.Tokens["admin"], nil)
			if r.Status == http.StatusMethodNotAllowed || strings.Contains(string(r.Body), CodeRouteNotFound) {
				t.Errorf("documented %s %s is not served: %d %s", method, path, r.Status, r.Body)
			}
		}
	}
	for _, rt := range Routes() {
		if !documented[rt.Method+" "+Prefix+rt.Path] {
			t.Errorf("served %s %s is not documented", rt.Method, rt.Path)
		}
	}
	// The router serves only registered routes.
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		for _, p := range []string{"/nope", "/users/x/y/z", "/auth", "/openapi.yaml"} {
			r := e.do(m, p, a.Tokens["admin"], nil)
			if documented[m+" "+Prefix+p] || r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s = %d", m, p, r.Status)
			}
		}
	}
}

func TestOpenAPIDocumentsPermissionsAndSchemas(t *testing.T) {
	doc := OpenAPI()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	json.Unmarshal(raw, &d) //nolint:errcheck
	login := d.Paths[Prefix+"/auth/login"]["post"]
	if sec, _ := login["security"].([]any); sec == nil || len(sec) != 0 {
		t.Errorf("login security %v, want [] (public)", login["security"])
	}
	meOp := d.Paths[Prefix+"/auth/me"]["get"]
	if meOp["x-permission"] != string(PermSession) {
		t.Errorf("me x-permission %v", meOp["x-permission"])
	}
	for _, name := range []string{"SignIn", "Me", "User", "Error", "loginRequest"} {
		if _, ok := d.Components.Schemas[name]; !ok {
			t.Errorf("schema %s missing; have %v", name, keys(d.Components.Schemas))
		}
	}
	req := d.Components.Schemas["loginRequest"]
	if req["additionalProperties"] != false || len(req["required"].([]any)) != 2 {
		t.Errorf("loginRequest schema %v", req)
	}
	// Every $ref resolves.
	for _, m := range regexp.MustCompile(`"#/components/schemas/([A-Za-z0-9]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := d.Components.Schemas[m[1]]; !ok {
			t.Errorf("dangling $ref %s", m[1])
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
