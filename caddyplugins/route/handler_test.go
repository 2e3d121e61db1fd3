package route

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/fakeprovider"
	"github.com/aigw/aigw/internal/testdb"
)

const testKey = "sk-fake-provider-key"

// testHandler is a provisioned Handler over the fake provider, without Caddy.
func testHandler(t *testing.T, rules string) (*Handler, *fakeprovider.Server) {
	t.Helper()
	fake := fakeprovider.New(testKey)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	files := map[string]string{
		"providers.yaml": `providers:
  oai: {type: openai, base_url: ` + srv.URL + `/v1, api_key_env: K}
  claude: {type: anthropic, base_url: ` + srv.URL + `/v1, api_key_env: K}
  gem: {type: gemini, base_url: ` + srv.URL + `/v1beta, api_key_env: K}
`,
		"models.yaml": `models:
  - {id: oai, provider: oai, upstream: gpt-4o, context_window: 1000, input_price: "1", output_price: "1", capabilities: [chat]}
  - {id: claude, provider: claude, upstream: claude-x, context_window: 1000, input_price: "1", output_price: "1", capabilities: [chat]}
  - {id: gem, provider: gem, upstream: gemini-x, context_window: 1000, input_price: "1", output_price: "1", capabilities: [chat]}
  - {id: big, provider: gem, upstream: gemini-big, context_window: 1000000, input_price: "1", output_price: "1", capabilities: [chat]}
`,
		"routing_rules.yaml": rules,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := catalog.Load(catalog.Paths{Models: filepath.Join(dir, "models.yaml"), Providers: filepath.Join(dir, "providers.yaml"),
		RoutingRules: filepath.Join(dir, "routing_rules.yaml")}, func(string) string { return testKey })
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{catalog: c, bodyLimit: 1 << 20, logger: zap.NewNop(), bal: newBalancer(), MaxIdleConnsPerProvider: 4}
	h.provision()
	t.Cleanup(func() { h.Cleanup() }) //nolint:errcheck
	return h, fake
}

// serve runs one chat request through the handler and returns the answer
// and the request state.
func serve(t *testing.T, h *Handler, body string, est int) (*httptest.ResponseRecorder, *state.Request) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
	r, st := state.Attach(r, 1<<20)
	st.EstPromptTokens = est
	w := httptest.NewRecorder()
	if err := h.ServeHTTP(w, r, nil); err != nil {
		t.Fatal(err)
	}
	return w, st
}

// TestStateFilledForEveryProvider checks the contract with the other
// handlers: the state names the deployment, counts attempts, marks the first
// byte and carries the provider's usage, streams included, for every
// provider type.
func TestStateFilledForEveryProvider(t *testing.T) {
	h, _ := testHandler(t, "aliases: {}\n")
	for _, model := range []string{"oai", "claude", "gem"} {
		for _, stream := range []bool{false, true} {
			t.Run(model+map[bool]string{true: "/stream", false: "/plain"}[stream], func(t *testing.T) {
				body := `{"model":"` + model + `","max_tokens":3,"stream":` + map[bool]string{true: "true", false: "false"}[stream] + `,"messages":[{"role":"user","content":"hello there"}]}`
				w, st := serve(t, h, body, 0)
				if w.Code != 200 {
					t.Fatalf("status %d: %s", w.Code, w.Body)
				}
				if st.Attempts != 1 || st.Model == nil || st.Model.ID != model || st.Provider != model || st.Deployment == "" || st.FirstByte.IsZero() {
					t.Errorf("state = attempts %d model %v provider %q deployment %q first byte %v", st.Attempts, st.Model, st.Provider, st.Deployment, st.FirstByte)
				}
				if !st.Usage.Reported || st.Usage.PromptTokens == 0 || st.Usage.CompletionTokens != 3 {
					t.Errorf("usage = %+v", st.Usage)
				}
				if stream && strings.Contains(w.Body.String(), `"usage":{`) {
					t.Errorf("the client got a usage chunk it did not ask for:\n%s", w.Body)
				}
			})
		}
	}
}

// TestPreflightContextFallback checks that a prompt estimated larger than the
// model's window goes straight to the context-window fallback.
func TestPreflightContextFallback(t *testing.T) {
	h, fake := testHandler(t, "models:\n  gem:\n    context_window_fallbacks: [big]\n")
	w, st := serve(t, h, `{"model":"gem","messages":[{"role":"user","content":"long"}]}`, 5000)
	if w.Code != 200 || st.Model.ID != "big" || st.Attempts != 1 || !strings.Contains(fake.Last().Path, "gemini-big") {
		t.Errorf("status %d model %v attempts %d path %s", w.Code, st.Model, st.Attempts, fake.Last().Path)
	}
}

// TestCooldownSharedThroughRedis checks that a cool-down started on one node
// reaches another through Redis.
func TestCooldownSharedThroughRedis(t *testing.T) {
	url := testdb.RedisURL(t)
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	dep := "test|" + t.Name() + "|" + time.Now().String()
	t.Cleanup(func() { rdb.Del(context.Background(), redisCooldownKey(dep)) })
	nodeA, nodeB := newBalancer(), newBalancer()
	a := shareCooldowns(rdb, nodeA, []string{dep}, zap.NewNop())
	defer a.stop()
	b := shareCooldowns(rdb, nodeB, []string{dep}, zap.NewNop())
	defer b.stop()
	if !nodeA.failure(dep, catalog.Policy{Cooldown: time.Minute, CooldownFailures: 1}, 0) {
		t.Fatal("node A did not cool the deployment down")
	}
	deadline := time.Now().Add(5 * time.Second)
	for nodeB.coolingFor(dep) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("node B never learnt of node A's cool-down")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := nodeB.coolingFor(dep); d < 50*time.Second || d > time.Minute {
		t.Errorf("node B cools down for %v, want about a minute", d)
	}
}
