package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/caddyserver/caddy/v2"
)

// TestGatewayOpensOnePool checks that the whole chain — key lookups and
// their change notifications, usage rows, audit events — goes through the
// aigw app's one PostgreSQL pool: no handler opens its own.
func TestGatewayOpensOnePool(t *testing.T) {
	g := startGateway(t, shippedConfigs, "XDG_DATA_HOME="+t.TempDir())
	_, h, err := chatWithHeaders(t, g.client(), chatParams("mock-gpt", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	meterWaitRow(t, g, h.Get("X-Aigw-Request-Id"))
	rows, err := g.DB.Query(context.Background(),
		`SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	names = slices.DeleteFunc(names, func(n string) bool { return n == "" }) // the test's own pool
	if !slices.Equal(names, []string{"aigw-gateway"}) {
		t.Errorf("connections from %q; want only the app's pool (aigw-gateway)", names)
	}
}

// TestReadyzReportsDependencies checks the readiness probe: 200 when the
// configuration is loaded and PostgreSQL answers, 503 naming the database
// when it does not (the liveness probe still answers).
func TestReadyzReportsDependencies(t *testing.T) {
	get := func(g *gateway, path string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Get(g.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body) //nolint:errcheck // /healthz answers text
		return resp.StatusCode, body
	}
	g := startGateway(t, shippedConfigs)
	code, body := get(g, "/readyz")
	checks, _ := body["checks"].(map[string]any)
	if code != 200 || body["status"] != "ready" || checks["database"] != "ok" || checks["config"] != "ok" || checks["redis"] != "not configured" {
		t.Fatalf("ready gateway: %d %v", code, body)
	}
	caddy.Stop() //nolint:errcheck // the next gateway replaces this one

	down := startGateway(t, shippedConfigs, "DATABASE_URL=postgres://postgres@127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=1")
	code, body = get(down, "/readyz")
	checks, _ = body["checks"].(map[string]any)
	if code != 503 || body["status"] != "not ready" || checks["database"] != "unreachable" {
		t.Errorf("gateway without its database: %d %v", code, body)
	}
	if code, _ := get(down, "/healthz"); code != 200 {
		t.Errorf("/healthz %d: liveness must not depend on the database", code)
	}
}
