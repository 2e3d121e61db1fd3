// Package e2e runs the shipped Caddyfile in process, against a fake OpenAI
// provider and a real PostgreSQL, with the official openai-go SDK as the client.
// Caddy's process-wide state allows one config at a time, so these tests run
// one after another and live in this one package.
package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/aigw/aigw/caddyplugins/all"
	"github.com/aigw/aigw/internal/fakeprovider"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
	"github.com/aigw/aigw/schema"
)

// upstreamKey is the provider key the gateway must inject; the fake refuses others.
const upstreamKey = "sk-upstream-test-0123456789"

// repoRoot is the repository root, where the shipped Caddyfile and configs live.
var repoRoot, _ = filepath.Abs("../..")

type gateway struct {
	URL    string
	Key    string
	Fake   *fakeprovider.Server
	DB     *pgxpool.Pool
	DBURL  string
	config []byte
}

// configSet chooses the configuration files: the shipped ones, or testdata's.
type configSet int

const (
	shippedConfigs configSet = iota
	faultConfigs
)

// startGateway adapts the shipped Caddyfile with env pointing at a fake
// provider and a fresh database, loads it in process and returns a client's
// view of it. env holds extra NAME=value settings applied last.
func startGateway(t testing.TB, cs configSet, env ...string) *gateway {
	return startGatewayWith(t, filepath.Join(repoRoot, "Caddyfile"), cs, env...)
}

// startGatewayWith is startGateway with another Caddyfile (a test's variant
// under testdata/, using the same environment variables as the shipped one).
func startGatewayWith(t testing.TB, caddyfilePath string, cs configSet, env ...string) *gateway {
	t.Helper()
	fake := fakeprovider.New(upstreamKey)
	upstream := httptest.NewServer(fake)
	t.Cleanup(upstream.Close)

	g := &gateway{Fake: fake}
	dbURL := testdbWithKey(t, g)

	port := freePort(t)
	t.Setenv("AIGW_PORT", strconv.Itoa(port))
	t.Setenv("AIGW_BIND", "127.0.0.1")
	t.Setenv("AIGW_CADDY_ADMIN", "off")
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("REDIS_URL", "")
	configs := filepath.Join(repoRoot, "configs")
	if cs == faultConfigs {
		configs, _ = filepath.Abs("testdata")
	}
	t.Setenv("AIGW_MODELS", filepath.Join(configs, "models.yaml"))
	t.Setenv("AIGW_PROVIDERS", filepath.Join(configs, "providers.yaml"))
	t.Setenv("AIGW_ROUTING_RULES", filepath.Join(configs, "routing_rules.yaml"))
	t.Setenv("AIGW_GUARDRAILS", filepath.Join(repoRoot, "configs", "guardrails.yaml"))
	t.Setenv("OPENAI_BASE_URL", upstream.URL+"/v1")
	t.Setenv("OPENAI_API_KEY", upstreamKey)
	t.Setenv("FAKE_BASE_URL", upstream.URL+"/v1")
	t.Setenv("FAKE_API_KEY", upstreamKey)
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}

	cfg := adaptCaddyfile(t, caddyfilePath)
	if err := caddy.Load(cfg, true); err != nil {
		t.Fatalf("loading the shipped Caddyfile: %v", err)
	}
	t.Cleanup(func() {
		if err := caddy.Stop(); err != nil {
			t.Errorf("stopping caddy: %v", err)
		}
	})
	g.URL, g.DBURL, g.config = "http://127.0.0.1:"+strconv.Itoa(port), dbURL, cfg
	waitListening(t, port)
	return g
}

// testdbWithKey creates a migrated database with a tenant and an API key,
// storing the pool and key in g, and returns the database URL.
func testdbWithKey(t testing.TB, g *gateway) string {
	t.Helper()
	dbURL := testdb.NewURL(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := schema.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	s := store.New(pool)
	tn, err := s.CreateTenant(ctx, "e2e", "E2E Bank")
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := s.CreateKey(ctx, store.NewKey{TenantID: tn.ID, Name: "e2e"})
	if err != nil {
		t.Fatal(err)
	}
	g.DB, g.Key = pool, key
	return dbURL
}

func adaptCaddyfile(t testing.TB, path string) []byte {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt(body, map[string]any{"filename": path})
	if err != nil {
		t.Fatalf("adapting the shipped Caddyfile: %v", err)
	}
	for _, w := range warnings {
		t.Logf("adapt warning: %s", w.String())
	}
	if os.Getenv("AIGW_TEST_LOGS") != "" {
		return cfg
	}
	// Keep test output readable: Caddy's logs go nowhere unless asked for.
	var m map[string]any
	if err := json.Unmarshal(cfg, &m); err != nil {
		t.Fatal(err)
	}
	m["logging"] = map[string]any{"logs": map[string]any{"default": map[string]any{"writer": map[string]any{"output": "discard"}}}}
	cfg, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// client returns an SDK client for the gateway. Retries are off so that each
// error surfaces as it is.
func (g *gateway) client(opts ...option.RequestOption) openai.Client {
	base := []option.RequestOption{
		option.WithBaseURL(g.URL + "/v1/"),
		option.WithAPIKey(g.Key),
		option.WithMaxRetries(0),
	}
	return openai.NewClient(append(base, opts...)...)
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitListening(t testing.TB, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("gateway did not listen on %d", port)
}

// streamedText reads a chat stream to its end and returns its first choice's
// text; what ended the stream is left to stream.Err().
func streamedText(stream *ssestream.Stream[openai.ChatCompletionChunk]) string {
	var text strings.Builder
	for stream.Next() {
		if ch := stream.Current(); len(ch.Choices) > 0 {
			text.WriteString(ch.Choices[0].Delta.Content)
		}
	}
	return text.String()
}
