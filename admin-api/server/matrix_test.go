package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

// routeCase is a request to one route that a caller allowed to use it
// makes successfully.
type routeCase struct {
	path  string // under Prefix, ids filled in
	body  any
	ok    int    // the status it answers
	token string // a token to use instead of the caller's (sign-out)
}

// matrixFixture gives the cases ids of tenant t's rows.
type matrixFixture struct {
	e    *env
	t    *tenant
	keys map[string]string // role → a key of that role's user
	n    atomic.Int64
}

func newMatrixFixture(e *env, t *tenant) *matrixFixture {
	f := &matrixFixture{e: e, t: t, keys: map[string]string{}}
	for _, role := range Roles {
		f.keys[role] = f.freshKey(role)
	}
	return f
}

func (f *matrixFixture) db() *tenantdb.DB {
	return tenantdb.New(f.e.store, f.t.ID, tenantdb.Actor{UserID: f.t.Users["admin"].ID}, tenantdb.WithClock(f.e.clock.Now))
}

func (f *matrixFixture) freshUser() string {
	u, err := f.db().CreateUser(context.Background(), tenantdb.NewUser{
		Email: fmt.Sprintf("fresh%d@%s.example", f.n.Add(1), f.t.Slug), DisplayName: "Fresh", Role: store.RoleViewer})
	if err != nil {
		f.e.t.Fatal(err)
	}
	return u.ID
}

func (f *matrixFixture) freshKey(role string) string {
	_, k, err := f.db().CreateKey(context.Background(), store.NewKey{UserID: f.t.Users[role].ID, Name: "fixture"}, time.Now())
	if err != nil {
		f.e.t.Fatal(err)
	}
	return k.ID
}

// freshMonth is a past month (YYYY-MM) no earlier call of this fixture
// used, so that issuing its invoice makes a new one.
func (f *matrixFixture) freshMonth() string {
	return time.Now().UTC().AddDate(0, -int(f.n.Add(1)), 0).Format("2006-01")
}

// freshInvoice issues the tenant's invoice for a fresh month and returns its id.
func (f *matrixFixture) freshInvoice() string {
	res := f.e.do("POST", "/billing/invoice", f.t.Tokens["admin"], map[string]any{"month": f.freshMonth()})
	res.want(201)
	var inv struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(res.Body, &inv); err != nil || inv.ID == "" {
		f.e.t.Fatalf("issuing a fixture invoice: %v: %s", err, res.Body)
	}
	return inv.ID
}

var period = "?from=" + time.Now().Add(-time.Hour).UTC().Format(time.RFC3339) + "&to=" + time.Now().Add(time.Hour).UTC().Format(time.RFC3339)

// routeCases has a case for every route; TestEveryRouteWithEveryRole fails
// for a route without one. ids come from f, so the same cases run with a
// second tenant's token in TestTenantIsolationOnEveryRoute.
var routeCases = map[string]func(f *matrixFixture, role string) routeCase{
	"GET /healthz":      func(*matrixFixture, string) routeCase { return routeCase{path: "/healthz", ok: 200} },
	"GET /readyz":       func(*matrixFixture, string) routeCase { return routeCase{path: "/readyz", ok: 200} },
	"GET /openapi.json": func(*matrixFixture, string) routeCase { return routeCase{path: "/openapi.json", ok: 200} },
	"POST /auth/register": func(f *matrixFixture, _ string) routeCase {
		return routeCase{path: "/auth/register", ok: 201, body: map[string]any{"tenant_name": "New Bank", "name": "N",
			"email": fmt.Sprintf("new%d@new.example", f.n.Add(1)), "password": testPassword}}
	},
	"POST /auth/login": func(f *matrixFixture, _ string) routeCase {
		return routeCase{path: "/auth/login", ok: 200, body: map[string]any{"email": "viewer@" + f.t.Slug + ".example", "password": testPassword}}
	},
	"POST /auth/logout": func(f *matrixFixture, role string) routeCase {
		return routeCase{path: "/auth/logout", ok: 204, token: f.e.login(role+"@"+f.t.Slug+".example", testPassword)}
	},
	"GET /auth/me": func(*matrixFixture, string) routeCase { return routeCase{path: "/auth/me", ok: 200} },
	"GET /users":   func(*matrixFixture, string) routeCase { return routeCase{path: "/users", ok: 200} },
	"POST /users": func(f *matrixFixture, _ string) routeCase {
		return routeCase{path: "/users", ok: 201, body: map[string]any{"email": fmt.Sprintf("made%d@x.example", f.n.Add(1)), "name": "Made", "role": "user"}}
	},
	"GET /users/{user_id}": func(f *matrixFixture, role string) routeCase {
		return routeCase{path: "/users/" + f.t.Users[role].ID, ok: 200}
	},
	"PUT /users/{user_id}": func(f *matrixFixture, role string) routeCase {
		return routeCase{path: "/users/" + f.t.Users[role].ID, ok: 200, body: map[string]any{"name": "Renamed"}}
	},
	"DELETE /users/{user_id}": func(f *matrixFixture, _ string) routeCase {
		return routeCase{path: "/users/" + f.freshUser(), ok: 200}
	},
	"GET /users/{user_id}/usage": func(f *matrixFixture, role string) routeCase {
		return routeCase{path: "/users/" + f.t.Users[role].ID + "/usage", ok: 200}
	},
	"GET /api-keys": func(*matrixFixture, string) routeCase { return routeCase{path: "/api-keys", ok: 200} },
	"POST /api-keys": func(*matrixFixture, string) routeCase {
		return routeCase{path: "/api-keys", ok: 201, body: map[string]any{"name": "made"}}
	},
	"GET /api-keys/{key_id}": func(f *matrixFixture, role string) routeCase {
		return routeCase{path: "/api-keys/" + f.keys[role], ok: 200}
	},
	"DELETE /api-keys/{key_id}": func(f *matrixFixture, role string) routeCase {
		return routeCase{path: "/api-keys/" + f.freshKey(role), ok: 200}
	},
	"GET /usage/dashboard": func(*matrixFixture, string) routeCase { return routeCase{path: "/usage/dashboard" + period, ok: 200} },
	"GET /usage/requests":  func(*matrixFixture, string) routeCase { return routeCase{path: "/usage/requests" + period, ok: 200} },
	"GET /audit/logs":      func(*matrixFixture, string) routeCase { return routeCase{path: "/audit/logs" + period, ok: 200} },
	"GET /audit/summary":   func(*matrixFixture, string) routeCase { return routeCase{path: "/audit/summary" + period, ok: 200} },
	"GET /audit/security-events": func(*matrixFixture, string) routeCase {
		return routeCase{path: "/audit/security-events" + period, ok: 200}
	},
	"GET /audit/verify": func(*matrixFixture, string) routeCase { return routeCase{path: "/audit/verify", ok: 200} },
	"POST /audit/export": func(*matrixFixture, string) routeCase {
		return routeCase{path: "/audit/export", ok: 200, body: map[string]any{"format": "jsonl",
			"from": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "to": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}}
	},
	"GET /guardrails":          func(*matrixFixture, string) routeCase { return routeCase{path: "/guardrails", ok: 200} },
	"GET /guardrails/policies": func(*matrixFixture, string) routeCase { return routeCase{path: "/guardrails/policies", ok: 200} },
	"GET /guardrails/bfsi":     func(*matrixFixture, string) routeCase { return routeCase{path: "/guardrails/bfsi", ok: 200} },
	"POST /guardrails/test": func(*matrixFixture, string) routeCase {
		return routeCase{path: "/guardrails/test", ok: 200, body: map[string]any{"text": "card 4111 1111 1111 1111"}}
	},
	"GET /guardrails/policy": func(*matrixFixture, string) routeCase { return routeCase{path: "/guardrails/policy", ok: 200} },
	"PUT /guardrails/policy": func(*matrixFixture, string) routeCase {
		return routeCase{path: "/guardrails/policy", ok: 200, body: map[string]any{"template": "bfsi-strict", "terms": []string{"Project Falcon"}}}
	},
	"GET /models":       func(*matrixFixture, string) routeCase { return routeCase{path: "/models", ok: 200} },
	"GET /billing/plan": func(*matrixFixture, string) routeCase { return routeCase{path: "/billing/plan", ok: 200} },
	"PUT /billing/plan": func(*matrixFixture, string) routeCase {
		return routeCase{path: "/billing/plan", ok: 200, body: map[string]any{"seat_fee": "25.00"}}
	},
	"GET /billing/summary": func(*matrixFixture, string) routeCase { return routeCase{path: "/billing/summary", ok: 200} },
	"GET /billing/user/{user_id}": func(f *matrixFixture, role string) routeCase {
		return routeCase{path: "/billing/user/" + f.t.Users[role].ID, ok: 200}
	},
	"GET /billing/export/csv": func(*matrixFixture, string) routeCase {
		return routeCase{path: "/billing/export/csv" + period, ok: 200}
	},
	"GET /billing/forecast": func(*matrixFixture, string) routeCase { return routeCase{path: "/billing/forecast", ok: 200} },
	"POST /billing/invoice": func(f *matrixFixture, _ string) routeCase {
		return routeCase{path: "/billing/invoice", ok: 201, body: map[string]any{"month": f.freshMonth()}}
	},
	"GET /billing/invoices": func(*matrixFixture, string) routeCase { return routeCase{path: "/billing/invoices", ok: 200} },
	"GET /billing/invoices/{invoice_id}": func(f *matrixFixture, _ string) routeCase {
		return routeCase{path: "/billing/invoices/" + f.freshInvoice(), ok: 200}
	},
	"POST /billing/invoices/{invoice_id}/credit-note": func(f *matrixFixture, _ string) routeCase {
		return routeCase{path: "/billing/invoices/" + f.freshInvoice() + "/credit-note", ok: 201, body: map[string]any{"reason": "fixture"}}
	},
}

// TestEveryRouteWithEveryRole calls every route with every role and checks
// the status against the permission table: 403 without a grant, the
// route's success status with one (a user's own rows for GrantOwn).
func TestEveryRouteWithEveryRole(t *testing.T) {
	e := newEnv(t, dev)
	a := e.addTenant("alpha")
	f := newMatrixFixture(e, a)
	for _, rt := range Routes() {
		name := rt.Method + " " + rt.Path
		mk, ok := routeCases[name]
		if !ok {
			t.Errorf("%s has no case in routeCases", name)
			continue
		}
		for _, role := range Roles {
			t.Run(strings.ReplaceAll(name, "/", "_")+"/"+role, func(t *testing.T) {
				want := 403
				grant := GrantOf(role, rt.Perm)
				if rt.Perm == PermPublic || grant != GrantNone {
					want = 0
				}
				c := routeCase{path: strings.NewReplacer("{user_id}", a.Users[role].ID, "{key_id}", f.keys[role]).Replace(rt.Path)}
				if want == 0 {
					c = mk(f, role)
					want = c.ok
				}
				token := a.Tokens[role]
				if c.token != "" {
					token = c.token
				}
				res := e.do(rt.Method, c.path, token, c.body)
				if res.Status != want {
					t.Errorf("%s as %s (grant %s) = %d, want %d: %.300s", name, role, grant, res.Status, want, res.Body)
				}
			})
		}
	}
}

func TestPermissionDenialsAreAudited(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	e.do("GET", "/audit/logs", a.Tokens["viewer"], nil).want(http.StatusForbidden)
	var details string
	if err := e.pool.QueryRow(context.Background(), `SELECT details::text FROM audit_logs
WHERE tenant_id = $1 AND action = 'security.permission_denied' AND outcome = 'denied' AND severity = 'warning'
  AND actor_id = $2 AND resource_id = 'GET /audit/logs'`, a.ID, a.Users["viewer"].ID).Scan(&details); err != nil {
		t.Fatalf("no permission denial in the audit trail: %v", err)
	}
	if !strings.Contains(details, `"audit.read"`) || !strings.Contains(details, `"viewer"`) {
		t.Errorf("details %s", details)
	}
	var n int
	e.do("GET", "/audit/security-events"+period, a.Tokens["admin"], nil).want(200).decode(&struct{ Total *int }{&n})
	if n != 1 {
		t.Errorf("%d security events, want the denial", n)
	}
}

// tenantRows counts every row of tenant id that the admin API can read or
// write, and a digest of their contents.
func tenantRows(t *testing.T, e *env, id string) string {
	t.Helper()
	var out string
	err := e.pool.QueryRow(context.Background(), `SELECT concat_ws(' ',
  (SELECT count(*) || ':' || coalesce(md5(string_agg(u::text, ',' ORDER BY u.id)), '') FROM users u WHERE tenant_id = $1),
  (SELECT count(*) || ':' || coalesce(md5(string_agg(k::text, ',' ORDER BY k.id)), '') FROM api_keys k WHERE tenant_id = $1),
  (SELECT count(*) || ':' || coalesce(md5(string_agg(p::text, ',' ORDER BY p.id)), '') FROM policies p WHERE tenant_id = $1),
  (SELECT count(*) || ':' || coalesce(md5(string_agg(s.id::text || coalesce(s.revoked_at::text, ''), ',' ORDER BY s.id)), '') FROM admin_sessions s WHERE tenant_id = $1),
  (SELECT count(*) FROM audit_logs WHERE tenant_id = $1),
  (SELECT count(*) FROM usage_logs WHERE tenant_id = $1),
  (SELECT t::text FROM tenants t WHERE id = $1))`, id).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTenantIsolationOnEveryRoute calls every route with another tenant's
// admin token and the first tenant's ids: the first tenant's rows are
// neither read (404 for its ids, never 403; lists name none of them) nor
// written.
func TestTenantIsolationOnEveryRoute(t *testing.T) {
	e := newEnv(t, dev)
	a, b := e.addTenant("alpha"), e.addTenant("beta")
	fa := newMatrixFixture(e, a)
	if _, err := e.pool.Exec(context.Background(), `INSERT INTO usage_logs (request_id, created_at, tenant_id, user_id, api_key_id, endpoint, model, status, cost_usd)
VALUES ('alpha-1', now(), $1, $2, $3, '/v1/chat/completions', 'alpha-secret-model', 200, 1.5)`, a.ID, a.Users["admin"].ID, fa.keys["admin"]); err != nil {
		t.Fatal(err)
	}
	e.do("PUT", "/guardrails/policy", a.Tokens["admin"], map[string]any{"template": "bfsi-strict", "terms": []string{"Alpha Codename"}}).want(200)
	secrets := []string{a.ID, a.Slug + ".example", "alpha-secret-model", "Alpha Codename", fa.keys["admin"]}
	for _, u := range a.Users {
		secrets = append(secrets, u.ID)
	}
	type call struct {
		rt *Route
		c  routeCase
	}
	var calls []call
	for _, rt := range Routes() {
		mk, ok := routeCases[rt.Method+" "+rt.Path]
		if !ok {
			t.Errorf("%s %s has no case", rt.Method, rt.Path)
			continue
		}
		if rt.Path == "/auth/login" || rt.Path == "/auth/logout" {
			continue // they act on the caller's own account
		}
		calls = append(calls, call{&rt, mk(fa, "admin")}) // alpha's ids (fresh rows made now) ...
	}
	before := tenantRows(t, e, a.ID)
	for _, x := range calls {
		rt, c := x.rt, x.c
		res := e.do(rt.Method, c.path, b.Tokens["admin"], c.body) // ... beta's admin
		want := c.ok
		if strings.Contains(rt.Path, "{") {
			want = http.StatusNotFound
		}
		if res.Status != want {
			t.Errorf("%s %s with alpha's ids as beta's admin = %d, want %d: %.200s", rt.Method, rt.Path, res.Status, want, res.Body)
		}
		for _, s := range secrets {
			if strings.Contains(string(res.Body), s) {
				t.Errorf("%s %s as beta's admin shows alpha's %q", rt.Method, rt.Path, s)
			}
		}
	}
	// A key for alpha's user, from beta: not found, nothing created.
	e.do("POST", "/api-keys", b.Tokens["admin"], map[string]any{"user_id": a.Users["user"].ID}).want(http.StatusNotFound)
	if after := tenantRows(t, e, a.ID); after != before {
		t.Errorf("alpha's rows changed under beta's calls:\nbefore %s\nafter  %s", before, after)
	}
}
