package e2e

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// gatewayConns counts the gateway's PostgreSQL connections to the test database.
func gatewayConns(t *testing.T, g *gateway) int {
	t.Helper()
	var n int
	err := g.DB.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_stat_activity WHERE application_name = 'aigw-gateway' AND datname = current_database()`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRepeatedReloadsLeakNothing reloads the shipped config many times under
// traffic and checks that goroutines and database connections stay flat: the
// shared pool survives reloads and nothing is started twice.
func TestRepeatedReloadsLeakNothing(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	// A reload closes idle keep-alive connections, as every Caddy reload does;
	// the SDK's default retry of a connection reset covers that, as it would for
	// any client.
	c := g.client(option.WithMaxRetries(2))
	call := func() {
		t.Helper()
		if _, err := c.Chat.Completions.New(context.Background(), chatParams("gpt-4o", "hi")); err != nil {
			t.Fatalf("chat: %v", err)
		}
	}
	// Warm up: first lookups open connections, keep-alives settle.
	for i := 0; i < 3; i++ {
		if err := caddy.Load(g.config, true); err != nil {
			t.Fatal(err)
		}
		call()
	}
	settle()
	baseGoroutines, baseConns := runtime.NumGoroutine(), gatewayConns(t, g)

	for i := 0; i < 25; i++ {
		if err := caddy.Load(g.config, true); err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
		call()
	}
	settle()
	goroutines, conns := runtime.NumGoroutine(), gatewayConns(t, g)
	if goroutines > baseGoroutines+10 {
		t.Errorf("goroutines grew from %d to %d over 25 reloads", baseGoroutines, goroutines)
	}
	if conns > baseConns+1 || conns == 0 {
		t.Errorf("gateway database connections went from %d to %d over 25 reloads", baseConns, conns)
	}
}

// TestReloadKeepsStreamsInFlight starts a slow stream, reloads mid-way, and
// checks that the stream completes intact.
func TestReloadKeepsStreamsInFlight(t *testing.T) {
	g := startGateway(t, faultConfigs)
	c := g.client()
	params := chatParams("mock-slow", "keep streaming")
	params.MaxTokens = openai.Int(12)
	stream := c.Chat.Completions.NewStreaming(context.Background(), params)
	if !stream.Next() {
		t.Fatalf("no first chunk: %v", stream.Err())
	}
	reloaded := make(chan error, 1)
	go func() { reloaded <- caddy.Load(g.config, true) }()
	var content strings.Builder
	for stream.Next() {
		if ch := stream.Current(); len(ch.Choices) > 0 {
			content.WriteString(ch.Choices[0].Delta.Content)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream broke during reload: %v", err)
	}
	if err := <-reloaded; err != nil {
		t.Fatalf("reload: %v", err)
	}
	if words := strings.Fields(content.String()); len(words) != 12 {
		t.Errorf("stream delivered %d words, want 12: %q", len(words), content.String())
	}
}

// TestStopClosesDatabaseConnections checks that the last config's cleanup
// closes the shared pool.
func TestStopClosesDatabaseConnections(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	c := g.client()
	if _, err := c.Chat.Completions.New(context.Background(), chatParams("gpt-4o", "hi")); err != nil {
		t.Fatal(err)
	}
	if gatewayConns(t, g) == 0 {
		t.Fatal("the gateway holds no connection after an authenticated call")
	}
	if err := caddy.Stop(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for gatewayConns(t, g) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d gateway connections remain after stop", gatewayConns(t, g))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := caddy.Load(g.config, true); err != nil { // for the cleanup's Stop
		t.Fatal(err)
	}
}

func settle() {
	time.Sleep(300 * time.Millisecond)
	runtime.GC()
}
