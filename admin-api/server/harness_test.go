package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/aigw/aigw/internal/session"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
	"github.com/aigw/aigw/internal/testdb"
)

const testSecret = "test-session-secret-0123456789abcdef"

// testPassword is every fixture user's password.
const testPassword = "correct horse battery staple"

var fixtureHash = sync.OnceValue(func() string {
	h, err := session.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// testConfigs are the repository's shipped configuration files.
var testConfigs = ConfigPaths{Models: "../../configs/models.yaml", Providers: "../../configs/providers.yaml",
	RoutingRules: "../../configs/routing_rules.yaml", Guardrails: "../../configs/guardrails.yaml"}

type env struct {
	t     *testing.T
	srv   *Server
	http  *httptest.Server
	pool  *pgxpool.Pool
	store *store.Store
	clock *testClock
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newEnv starts the admin API over a fresh database; mod changes the
// configuration before the server is built.
func newEnv(t *testing.T, mod ...func(*Config)) *env {
	t.Helper()
	pool := testdb.New(t)
	st := store.New(pool)
	clock := &testClock{now: time.Now().UTC().Truncate(time.Second)}
	cfg := Config{Store: st, SessionSecret: []byte(testSecret), Now: clock.Now, Configs: testConfigs,
		Logger: zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))}
	for _, m := range mod {
		m(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	// An API client sees redirects (SSO's callback answers one), not where they lead.
	hs.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &env{t: t, srv: srv, http: hs, pool: pool, store: st, clock: clock}
}

// tenant is a fixture tenant with one user of each role.
type tenant struct {
	ID, Slug string
	// Users and Tokens are by role.
	Users  map[string]tenantdb.UserInfo
	Tokens map[string]string
}

// addTenant creates a tenant with a user of every role, all signed in.
func (e *env) addTenant(slug string) *tenant {
	e.t.Helper()
	ctx := context.Background()
	tn, err := e.store.CreateTenant(ctx, slug, strings.ToUpper(slug)+" Bank")
	if err != nil {
		e.t.Fatal(err)
	}
	out := &tenant{ID: tn.ID, Slug: slug, Users: map[string]tenantdb.UserInfo{}, Tokens: map[string]string{}}
	sc := tenantdb.New(e.store, tn.ID, tenantdb.Actor{}, tenantdb.WithClock(e.clock.Now))
	for _, role := range Roles {
		u, err := sc.CreateUser(ctx, tenantdb.NewUser{Email: role + "@" + slug + ".example", DisplayName: role + " of " + slug,
			Role: role, PasswordHash: fixtureHash()})
		if err != nil {
			e.t.Fatal(err)
		}
		out.Users[role] = *u
		out.Tokens[role] = e.login(u.Email, testPassword)
	}
	return out
}

// login signs in and returns the access token.
func (e *env) login(email, password string) string {
	e.t.Helper()
	var out SignIn
	res := e.do("POST", "/auth/login", "", map[string]any{"email": email, "password": password})
	res.want(http.StatusOK)
	res.decode(&out)
	return out.AccessToken
}

type response struct {
	t      *testing.T
	Status int
	Header http.Header
	Body   []byte
}

func (r *response) want(status int) *response {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

func (r *response) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// errorBody is the error shape.
type errorBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Code    *string `json:"code"`
		Param   *string `json:"param"`
	} `json:"error"`
}

func (r *response) err() errorBody {
	r.t.Helper()
	var b errorBody
	r.decode(&b)
	if b.Error.Message == "" || b.Error.Type == "" {
		r.t.Fatalf("not an error body: %s", r.Body)
	}
	return b
}

// do sends a request to path (under Prefix) with token as bearer; body is
// JSON-encoded unless it is a string or []byte.
func (e *env) do(method, path, token string, body any, hdr ...string) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.http.URL+Prefix+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &response{t: e.t, Status: res.StatusCode, Header: res.Header, Body: data}
}

// auditCount counts the audit rows of action (of tenant, "" for every chain).
func (e *env) auditCount(tenantID, action string) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_logs
WHERE action = $1 AND ($2 = '' OR tenant_id = nullif($2, '')::uuid)`, action, tenantID).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}
