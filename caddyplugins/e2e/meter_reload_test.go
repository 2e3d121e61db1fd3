package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
)

// meterLoad posts chat requests from workers until stop closes and returns
// the request ids of every answer received, whatever its status.
func meterLoad(t *testing.T, g *gateway, workers int, stop <-chan struct{}) []string {
	t.Helper()
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	body := `{"model":"gpt-4o","messages":[{"role":"user","content":"What is my balance?"}]}`
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodPost, g.URL+"/v1/chat/completions", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+g.Key)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					continue // a connection closed by a reload: no answer, no id
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if id := resp.Header.Get("X-Aigw-Request-Id"); id != "" {
					mu.Lock()
					ids = append(ids, id)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return ids
}

// meterCheckExactlyOnce checks that every id has exactly one usage row and
// that no row is duplicated; wait allows the writer time to flush.
func meterCheckExactlyOnce(t *testing.T, g *gateway, ids []string, wait time.Duration) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(wait)
	var found, rows, distinct int
	for {
		if err := g.DB.QueryRow(ctx, `SELECT count(*) FROM usage_logs WHERE request_id = ANY($1)`, ids).Scan(&found); err != nil {
			t.Fatal(err)
		}
		if found >= len(ids) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := g.DB.QueryRow(ctx, `SELECT count(*), count(DISTINCT request_id) FROM usage_logs`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if found != len(ids) || rows != distinct || rows < len(ids) {
		t.Errorf("%d answered requests: %d have a usage row; table holds %d rows (%d distinct)", len(ids), found, rows, distinct)
	}
}

// TestMeterReloadUnderLoadLosesNothing reloads the config repeatedly while
// clients call the gateway: the usage writer is shared across configs, so
// every answered request has exactly one row.
func TestMeterReloadUnderLoadLosesNothing(t *testing.T) {
	g := startGatewayWith(t, meterCaddyfile, shippedConfigs, "XDG_DATA_HOME="+t.TempDir(), "AIGW_METER_FLUSH=1s")
	stop := make(chan struct{})
	done := make(chan []string)
	go func() { done <- meterLoad(t, g, 4, stop) }()
	for i := 0; i < 15; i++ {
		time.Sleep(100 * time.Millisecond)
		if err := caddy.Load(g.config, true); err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
	}
	close(stop)
	ids := <-done
	if len(ids) < 50 {
		t.Fatalf("only %d answers under load", len(ids))
	}
	meterCheckExactlyOnce(t, g, ids, 10*time.Second)
}

// TestMeterShutdownFlushesBufferedRows stops the gateway while rows still
// wait in the buffer (a long flush interval): stopping writes them out.
func TestMeterShutdownFlushesBufferedRows(t *testing.T) {
	g := startGatewayWith(t, meterCaddyfile, shippedConfigs, "XDG_DATA_HOME="+t.TempDir(),
		"AIGW_METER_FLUSH=1m", "AIGW_METER_BATCH=500000", "AIGW_METER_BUFFER=500000")
	stop := make(chan struct{})
	done := make(chan []string)
	go func() { done <- meterLoad(t, g, 2, stop) }()
	time.Sleep(500 * time.Millisecond)
	close(stop)
	ids := <-done
	var n int
	if err := g.DB.QueryRow(context.Background(), `SELECT count(*) FROM usage_logs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d rows written before the flush interval; the test needs them buffered", n)
	}
	if err := caddy.Stop(); err != nil {
		t.Fatal(err)
	}
	meterCheckExactlyOnce(t, g, ids, 0)
	if err := caddy.Load(g.config, true); err != nil { // for the harness's cleanup Stop
		t.Fatal(err)
	}
}
