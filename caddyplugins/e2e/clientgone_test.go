package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/store"
)

// TestHalfClosedClientGetsNoEmptyAnswer half-closes requests whose provider
// call is still running when the client leaves, streamed or not: the
// gateway must not answer them with an empty 200 (Go's server answers so a
// handler that wrote nothing) while their usage rows say 499; it closes the
// connection instead.
func TestHalfClosedClientGetsNoEmptyAnswer(t *testing.T) {
	g := startMeterGateway(t, faultConfigs)
	key, rec := g.newKey(t, store.NewKey{Name: "hangs up"})
	const n = 10
	for i := 0; i < n; i++ {
		body := `{"model":"fake-hang","messages":[{"role":"user","content":"wait"}]}`
		if i%2 == 1 {
			body = `{"model":"fake-hang","stream":true,"messages":[{"role":"user","content":"wait"}]}`
		}
		if halfClose(t, g.URL, key, body) {
			t.Errorf("request %d: a half-closed client was answered with an empty 200", i)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var rows, gone int
		err := g.DB.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE status = 499)
			FROM usage_logs WHERE api_key_id = $1`, rec.ID).Scan(&rows, &gone)
		if err != nil {
			t.Fatal(err)
		}
		if rows == n {
			if gone != n {
				t.Errorf("%d of %d usage rows say 499", gone, n)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d usage rows of %d requests", rows, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
