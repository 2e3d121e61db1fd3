package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBadInputOnEveryRoute sends every route malformed bodies, bodies of
// the wrong shape, oversize bodies, invalid ids and SQL in parameters: each
// is a 4xx in the error shape, never a 5xx, and nothing is echoed.
func TestBadInputOnEveryRoute(t *testing.T) {
	e := newEnv(t, dev)
	a := e.addTenant("alpha")
	tok := a.Tokens["admin"]
	check := func(what string, res *response) {
		t.Helper()
		if res.Status < 400 || res.Status >= 500 {
			t.Errorf("%s = %d, want a 4xx: %.200s", what, res.Status, res.Body)
			return
		}
		b := res.err()
		if strings.Contains(b.Error.Message, "DROP TABLE") || strings.Contains(b.Error.Message, "passwd") {
			t.Errorf("%s echoes the input: %s", what, b.Error.Message)
		}
	}
	badIDs := []string{"x", "1", "00000000-0000-0000-0000-00000000000g", "' OR '1'='1", "1;DROP TABLE users", "%27%3B--", "..%2F..%2Fetc%2Fpasswd"}
	for _, rt := range Routes() {
		path := rt.Path
		if strings.Contains(path, "{") {
			for _, bad := range badIDs {
				p := pathParam.ReplaceAllString(path, bad)
				check(rt.Method+" "+p, e.do(rt.Method, p, tok, bodyFor(rt)))
			}
			path = pathParam.ReplaceAllString(path, a.Users["admin"].ID)
		}
		if rt.Doc.Request == nil {
			continue
		}
		for name, body := range map[string]string{
			"malformed":     `{"email": "x@y.z", `,
			"array":         `[{"email":"x"}]`,
			"string":        `"DROP TABLE users"`,
			"wrong types":   `{"email": 1, "name": false, "role": [], "text": 7, "template": {}, "format": 2, "from": true}`,
			"unknown field": `{"tenant_id": "` + a.ID + `", "is_admin": true}`,
			"oversize":      `{"text": "` + strings.Repeat("A", 2<<20) + `"}`,
			"trailing":      `{} {}`,
		} {
			check(rt.Method+" "+path+" "+name, e.do(rt.Method, path, tok, body))
		}
		res := e.do(rt.Method, path, tok, `{}`, "Content-Type", "text/plain")
		if res.Status != http.StatusUnsupportedMediaType {
			t.Errorf("%s %s as text/plain = %d", rt.Method, path, res.Status)
		}
	}
	// SQL in query parameters is data: no rows, no error.
	sql := url.QueryEscape("' OR 1=1; DROP TABLE audit_logs; --")
	for _, p := range []string{"/audit/logs?action=" + sql, "/audit/logs?actor=" + sql + "&resource=" + sql, "/audit/security-events?action=" + sql + ".*"} {
		var list List[AuditEvent]
		e.do("GET", p, tok, nil).want(200).decode(&list)
		if list.Total != 0 {
			t.Errorf("%s matched %d events", p, list.Total)
		}
	}
	e.do("GET", "/auth/me", tok, nil).want(200)
}

// bodyFor is a well-formed body for routes that take one, so that an id
// is what is wrong.
func bodyFor(rt Route) any {
	if rt.Doc.Request == nil {
		return nil
	}
	return map[string]any{}
}
