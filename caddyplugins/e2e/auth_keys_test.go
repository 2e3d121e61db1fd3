package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/store"
)

var rlCaddyfile, _ = filepath.Abs("testdata/ratelimit/Caddyfile")

// newKey creates another key of the e2e tenant.
func (g *gateway) newKey(t *testing.T, nk store.NewKey) (string, *store.KeyRecord) {
	t.Helper()
	s := store.New(g.DB)
	tn, err := s.TenantBySlug(context.Background(), "e2e")
	if err != nil {
		t.Fatal(err)
	}
	nk.TenantID = tn.ID
	key, rec, err := s.CreateKey(context.Background(), nk)
	if err != nil {
		t.Fatal(err)
	}
	return key, rec
}

// rawCall posts a chat request with the given headers and returns the answer.
func (g *gateway) rawCall(t *testing.T, path, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	method := "POST"
	if body == "" {
		method = "GET"
	}
	req, _ := http.NewRequest(method, g.URL+path, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

const mockChat = `{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}`

func TestAuthAcceptsThreeHeadersAndRefusesAlike(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	for _, h := range []string{"Authorization", "x-api-key", "api-key"} {
		v := g.Key
		if h == "Authorization" {
			v = "Bearer " + v
		}
		if resp, body := g.rawCall(t, "/v1/chat/completions", mockChat, map[string]string{h: v}); resp.StatusCode != 200 {
			t.Errorf("key in %s: %d %s", h, resp.StatusCode, body)
		}
	}
	expired, _ := g.newKey(t, store.NewKey{Name: "expired", ExpiresAt: time.Now().Add(-time.Minute)})
	revoked, rec := g.newKey(t, store.NewKey{Name: "revoked"})
	if _, err := store.New(g.DB).RevokeKeyByRef(context.Background(), rec.ID); err != nil {
		t.Fatal(err)
	}
	unknown, _ := apikey.Generate()
	var first string
	for name, hdr := range map[string]map[string]string{
		"missing": {}, "malformed": {"Authorization": "Bearer sk-aigw-short"}, "unknown": {"x-api-key": unknown},
		"expired": {"Authorization": "Bearer " + expired}, "revoked": {"api-key": revoked},
	} {
		resp, body := g.rawCall(t, "/v1/chat/completions", mockChat, hdr)
		if resp.StatusCode != 401 {
			t.Errorf("%s key: status %d", name, resp.StatusCode)
		}
		if first == "" {
			first = body
		} else if body != first {
			t.Errorf("%s key: body %s differs from %s; the refusal must not say why", name, body, first)
		}
		for _, k := range []string{expired, revoked, unknown} {
			if strings.Contains(body, k[len(apikey.Prefix):]) {
				t.Errorf("%s key: the answer echoes a key", name)
			}
		}
	}
}

func TestAuthModelScopes(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	key, _ := g.newKey(t, store.NewKey{Name: "mock only", AllowedModels: []string{"mock-*"}})
	c := g.client(option.WithAPIKey(key))
	if _, err := c.Chat.Completions.New(context.Background(), chatParams("mock-gpt", "hi")); err != nil {
		t.Fatalf("allowed model: %v", err)
	}
	_, err := c.Chat.Completions.New(context.Background(), chatParams("gpt-4o", "hi"))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 403 || apiErr.Code != "model_not_allowed" {
		t.Fatalf("other model: %v, want 403 model_not_allowed", err)
	}
	if g.Fake.Requests() != 0 {
		t.Error("a refused request reached the provider")
	}
	page, err := c.Models.List(context.Background())
	if err != nil || len(page.Data) == 0 {
		t.Fatalf("models: %v", err)
	}
	for _, m := range page.Data {
		if !strings.HasPrefix(m.ID, "mock-") {
			t.Errorf("/v1/models lists %s to a mock-* key", m.ID)
		}
	}
	if _, err := c.Models.Get(context.Background(), "gpt-4o"); !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Errorf("retrieve a model the key may not use: %v, want 404", err)
	}
	// The unrestricted key still sees everything.
	unrestricted := g.client()
	all, _ := unrestricted.Models.List(context.Background())
	if len(all.Data) <= len(page.Data) {
		t.Errorf("unrestricted key sees %d models, restricted %d", len(all.Data), len(page.Data))
	}
}

// TestRevocationAppliesWithinTwoSeconds revokes a cached key, suspends a
// tenant, and checks the gateway refuses within 2 s, though its cache TTL is 5 min.
func TestRevocationAppliesWithinTwoSeconds(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	s := store.New(g.DB)
	key, rec := g.newKey(t, store.NewKey{Name: "to revoke"})
	hdr := map[string]string{"Authorization": "Bearer " + key}
	if resp, _ := g.rawCall(t, "/v1/chat/completions", mockChat, hdr); resp.StatusCode != 200 {
		t.Fatalf("before revocation: %d", resp.StatusCode)
	}
	waitStatus := func(what string, hdr map[string]string, want int) {
		t.Helper()
		start := time.Now()
		for time.Since(start) < 2*time.Second {
			if resp, _ := g.rawCall(t, "/v1/chat/completions", mockChat, hdr); resp.StatusCode == want {
				t.Logf("%s applied after %v", what, time.Since(start).Round(time.Millisecond))
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%s: still not %d after 2s", what, want)
	}
	if _, err := s.RevokeKeyByRef(context.Background(), rec.Prefix); err != nil {
		t.Fatal(err)
	}
	waitStatus("revocation", hdr, 401)

	main := map[string]string{"Authorization": "Bearer " + g.Key}
	if resp, _ := g.rawCall(t, "/v1/chat/completions", mockChat, main); resp.StatusCode != 200 {
		t.Fatalf("other key: %d", resp.StatusCode)
	}
	if err := s.SetTenantStatus(context.Background(), rec.TenantID, "suspended"); err != nil {
		t.Fatal(err)
	}
	waitStatus("tenant suspension", main, 401)
	if err := s.SetTenantStatus(context.Background(), rec.TenantID, "active"); err != nil {
		t.Fatal(err)
	}
	waitStatus("tenant reactivation", main, 200)
}

// TestDatabaseDownKnownKeysKeepWorking cuts the gateway off its database:
// a key it has seen keeps working past its cache TTL; a key it has not seen
// gets 503, not 401.
func TestDatabaseDownKnownKeysKeepWorking(t *testing.T) {
	g := startGatewayWith(t, rlCaddyfile, shippedConfigs, "AIGW_AUTH_CACHE_TTL=200ms")
	known := map[string]string{"Authorization": "Bearer " + g.Key}
	if resp, _ := g.rawCall(t, "/v1/chat/completions", mockChat, known); resp.StatusCode != 200 {
		t.Fatalf("before the outage: %d", resp.StatusCode)
	}
	var dbName string
	if err := g.DB.QueryRow(context.Background(), "SELECT current_database()").Scan(&dbName); err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(context.Background(), os.Getenv("AIGW_TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	cut := func(allow bool) {
		t.Helper()
		q := `ALTER DATABASE "` + dbName + `" WITH ALLOW_CONNECTIONS ` + map[bool]string{true: "true", false: "false"}[allow]
		if _, err := admin.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	cut(false)
	t.Cleanup(func() { cut(true) })
	// Drop the gateway's connections (application_name aigw-gateway).
	if _, err := admin.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = $1 AND application_name = 'aigw-gateway'`, dbName); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond) // past the cache TTL
	for i := 0; i < 3; i++ {
		if resp, body := g.rawCall(t, "/v1/chat/completions", mockChat, known); resp.StatusCode != 200 {
			t.Fatalf("known key during the outage: %d %s", resp.StatusCode, body)
		}
	}
	unknown, _ := apikey.Generate()
	resp, body := g.rawCall(t, "/v1/chat/completions", mockChat, map[string]string{"Authorization": "Bearer " + unknown})
	var e struct{ Error struct{ Code string } }
	json.Unmarshal([]byte(body), &e) //nolint:errcheck
	if resp.StatusCode != 503 || e.Error.Code != "auth_unavailable" {
		t.Errorf("unknown key during the outage: %d %s, want 503", resp.StatusCode, body)
	}
}
