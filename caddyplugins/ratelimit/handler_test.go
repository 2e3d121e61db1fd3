package ratelimit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap/zaptest"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/money"
	_ "github.com/aigw/aigw/internal/providers/all" // the provider types the shipped catalog names
	rl "github.com/aigw/aigw/internal/ratelimit"
	"github.com/aigw/aigw/internal/store"
)

// newTestHandler builds a handler over the shipped catalog and an in-process
// backend, as Provision would, without a Caddy server.
func newTestHandler(t testing.TB, key, tenant, model *Limits) *Handler {
	t.Helper()
	root := "../../configs"
	cat, err := catalog.Load(catalog.Paths{
		Models: filepath.Join(root, "models.yaml"), Providers: filepath.Join(root, "providers.yaml"),
		RoutingRules: filepath.Join(root, "routing_rules.yaml"),
	}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Key: key, Tenant: tenant, Model: model, DefaultMaxTokens: 4096, ImageTokens: 4000, RedisTimeout: caddy.Duration(5 * time.Second),
		MaxRequestDuration: 1e12, catalog: cat, logger: zaptest.NewLogger(t), bodyLimit: 1 << 20, loc: time.UTC, lastWarn: new(atomic.Int64), breaker: new(breaker),
		scopes: new(scopeCache), month: new(monthCache)}
	for i, l := range []*Limits{h.Key, h.User, h.Tenant, h.Model} {
		if h.defaults[i], err = l.compile(); err != nil {
			t.Fatal(err)
		}
	}
	h.local = rl.NewMemory(nil)
	h.backend = h.local
	return h
}

type nextFunc func(w http.ResponseWriter, r *http.Request) error

func (f nextFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) error { return f(w, r) }

// call sends a chat request for key through h to a next handler that
// reports usage as a provider would.
func call(t *testing.T, h *Handler, key *store.KeyRecord, body string, usage state.Usage) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body))
	r, st := state.Attach(r, 0)
	st.Key = key
	w := httptest.NewRecorder()
	err := h.ServeHTTP(w, r, nextFunc(func(w http.ResponseWriter, r *http.Request) error {
		st := state.From(r)
		st.Usage = usage
		st.Model, _ = h.catalog.Resolve("gpt-4o")
		st.Attempts, st.Called = 1, true // as the router records a call the provider took
		w.WriteHeader(200)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func testKey() *store.KeyRecord {
	return &store.KeyRecord{ID: "k1", TenantID: "t1", TenantActive: true, UserActive: true}
}

const chatBody = `{"model":"gpt-4o","max_tokens":100,"messages":[{"role":"user","content":"hello world"}]}`

func TestHeadersAndRequestLimit(t *testing.T) {
	h := newTestHandler(t, &Limits{RPM: 2, TPM: 10000}, nil, nil)
	k := testKey()
	w := call(t, h, k, chatBody, state.Usage{PromptTokens: 9, CompletionTokens: 20, Reported: true})
	hd := w.Result().Header
	if w.Code != 200 || hd.Get("X-Ratelimit-Limit-Requests") != "2" || hd.Get("X-Ratelimit-Remaining-Requests") != "1" ||
		hd.Get("X-Ratelimit-Limit-Tokens") != "10000" || hd.Get("X-Ratelimit-Reset-Requests") == "" {
		t.Fatalf("first call: %d %v", w.Code, hd)
	}
	// Reserved: the prompt bound (the body's bytes, 8 per message and 16 per
	// request) and max_tokens; settled at 29.
	bound := len(chatBody) + 8 + 16 + 100
	if got, want := hd.Get("X-Ratelimit-Remaining-Tokens"), strconv.Itoa(10000-bound); got != want {
		t.Errorf("remaining tokens after the reservation = %s, want %s", got, want)
	}
	w = call(t, h, k, chatBody, state.Usage{PromptTokens: 9, CompletionTokens: 20, Reported: true})
	if got, want := w.Result().Header.Get("X-Ratelimit-Remaining-Tokens"), strconv.Itoa(10000-29-bound); got != want {
		t.Errorf("remaining tokens after settling the first at 29 = %s, want %s", got, want)
	}
	w = call(t, h, k, chatBody, state.Usage{})
	var body struct{ Error struct{ Code string } }
	json.Unmarshal(w.Body.Bytes(), &body) //nolint:errcheck
	if w.Code != 429 || body.Error.Code != "rate_limit_exceeded" || w.Result().Header.Get("Retry-After") == "" ||
		w.Result().Header.Get("X-Ratelimit-Remaining-Requests") != "0" {
		t.Fatalf("third call: %d %s %v", w.Code, w.Body.String(), w.Result().Header)
	}
}

func TestBudgetFromDatabaseOverride(t *testing.T) {
	h := newTestHandler(t, nil, &Limits{Budget: "1000"}, nil)
	k := testKey()
	// gpt-4o: $2.50 in, $10 out per million. Budget of $0.002 from the database.
	k.TenantLimits = store.Limits{Budget: money.Pico(2_000_000_000), HasBudget: true}
	body := `{"model":"gpt-4o","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`
	// Reserved ~ 103*2.5e-6 + 100*1e-5 = $0.00126; real 10+10 tokens = $0.000125.
	if w := call(t, h, k, body, state.Usage{PromptTokens: 10, CompletionTokens: 10, Reported: true}); w.Code != 200 {
		t.Fatalf("first: %d", w.Code)
	}
	if w := call(t, h, k, body, state.Usage{PromptTokens: 10, CompletionTokens: 10, Reported: true}); w.Code != 200 {
		t.Fatalf("second (the first settled at its real cost): %d %s", w.Code, w.Body.String())
	}
	big := `{"model":"gpt-4o","max_tokens":1000,"messages":[{"role":"user","content":"hi"}]}`
	w := call(t, h, k, big, state.Usage{})
	if w.Code != 429 || !strings.Contains(w.Body.String(), "insufficient_quota") || w.Result().Header.Get("Retry-After") == "" {
		t.Fatalf("over budget: %d %s", w.Code, w.Body.String())
	}
	k.TenantLimits = store.Limits{HasBudget: true} // zero budget: nothing that costs
	if w := call(t, h, k, body, state.Usage{}); w.Code != 429 {
		t.Errorf("zero budget: %d", w.Code)
	}
}

func TestFailedCallIsRefunded(t *testing.T) {
	h := newTestHandler(t, &Limits{TPM: 250}, nil, nil)
	k := testKey()
	for i := 0; i < 5; i++ {
		r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(chatBody))
		r, st := state.Attach(r, 0)
		st.Key = k
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r, nextFunc(func(w http.ResponseWriter, r *http.Request) error { //nolint:errcheck
			state.From(r).ErrorCode = "upstream_error"
			w.WriteHeader(502)
			return nil
		}))
		if w.Code != 502 {
			t.Fatalf("call %d: %d; failed calls must not use up the token limit", i, w.Code)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{120 * time.Millisecond: "120ms", 1500 * time.Millisecond: "2s", 72 * time.Second: "1m12s"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// The table of whole seconds renders them as time.Duration does.
func TestFormatDurationSeconds(t *testing.T) {
	for d := time.Second; d <= 2*time.Minute; d += 250 * time.Millisecond {
		if got, want := formatDuration(d), d.Round(time.Second).String(); got != want {
			t.Fatalf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestLimitText(t *testing.T) {
	for _, n := range []int64{0, 7, 64, 71, 1_000_000_000, 50_000_000, 7, 1_000_000_000 + 64} {
		for range 2 {
			if got, want := limitText(n), strconv.FormatInt(n, 10); got != want {
				t.Fatalf("limitText(%d) = %q", n, got)
			}
		}
	}
}
