package ratelimit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/money"
	rl "github.com/aigw/aigw/internal/ratelimit"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
)

// TestConcurrentCallsCannotOverspendWhenUsageExceedsTheEstimate is #16's
// case: 2,000 repeated characters with max_tokens 1 on gpt-4o, which the
// gateway's tokenizer counts as some 250 tokens and the provider bills as
// 504, thirteen calls at once on a $0.01 budget. The reservation is the
// prompt's bound (its bytes), so the real spend stays within the budget.
func TestConcurrentCallsCannotOverspendWhenUsageExceedsTheEstimate(t *testing.T) {
	h := newTestHandler(t, &Limits{Budget: "0.01"}, nil, nil)
	body := `{"model":"gpt-4o","max_tokens":1,"messages":[{"role":"user","content":"` + strings.Repeat("a", 2000) + `"}]}`
	model, _ := h.catalog.Resolve("gpt-4o")
	const calls = 13
	var admitted atomic.Int64
	var spent atomic.Int64
	inside := make(chan struct{}, calls)
	release := make(chan struct{})
	var wg sync.WaitGroup
	k := testKey()
	for i := 0; i < calls; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body))
			r, st := state.Attach(r, 0)
			st.Key = k
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r, nextFunc(func(w http.ResponseWriter, r *http.Request) error { //nolint:errcheck
				inside <- struct{}{}
				<-release // every admitted call in flight at once
				st := state.From(r)
				st.Model = model
				st.Usage = state.Usage{PromptTokens: 504, CompletionTokens: 1, Reported: true}
				admitted.Add(1)
				spent.Add(int64(model.Cost(504, 0, 1)))
				return nil
			}))
			if w.Code != 200 && w.Code != 429 {
				t.Errorf("status %d: %s", w.Code, w.Body)
			}
			inside <- struct{}{} // a refusal also reports
		}()
	}
	for i := 0; i < calls; i++ {
		<-inside
	}
	close(release)
	wg.Wait()
	budget := int64(10_000_000_000) // $0.01 in picodollars
	t.Logf("%d of %d concurrent calls admitted; spent %s USD of 0.01", admitted.Load(), calls, money.Pico(spent.Load()).USD(6))
	if spent.Load() > budget {
		t.Errorf("spent %d picodollars, over the budget of %d", spent.Load(), budget)
	}
	if admitted.Load() == 0 {
		t.Error("no call admitted: the bound refuses what fits")
	}
}

func TestTooLargeForTheTokenLimitSaysSo(t *testing.T) {
	h := newTestHandler(t, &Limits{TPM: 1000}, nil, nil)
	w := call(t, h, testKey(), `{"model":"gpt-4o","max_tokens":5000,"messages":[{"role":"user","content":"hi"}]}`, state.Usage{})
	var b struct {
		Error struct{ Message, Code string }
	}
	json.Unmarshal(w.Body.Bytes(), &b) //nolint:errcheck
	if w.Code != 429 || b.Error.Code != "rate_limit_exceeded" || !strings.Contains(b.Error.Message, "Request too large for tokens per minute of this API key: Limit 1000, Requested ") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestChatPromptBound(t *testing.T) {
	h := newTestHandler(t, nil, nil, nil)
	for _, tt := range []struct {
		name, body string
		want       func(n int) int64
	}{
		{"text", `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}`, func(n int) int64 { return int64(n) + 16 + 8 }},
		{"image counts as image_tokens, not its URL", `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,` +
			strings.Repeat("A", 1000) + `"}}]}]}`, func(n int) int64 { return int64(n) + 16 + 8 + 4000 - int64(len("data:image/png;base64,")+1000) }},
		{"tools", `{"model":"gpt-4o","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"hi"}]}`,
			func(n int) int64 { return int64(n) + 16 + 8 + 600 }},
		{"a file by id bounds at the context window", `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]}`,
			func(int) int64 { return 128000 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(tt.body))
			r, st := state.Attach(r, 0)
			est, e := h.estimate(r, st)
			if e != nil {
				t.Fatal(e)
			}
			m := est.model
			out := int64(m.MaxOutputTokens)
			if got, want := est.bound, tt.want(len(tt.body))+out; got != want {
				t.Errorf("bound %d, want %d (prompt bound + the model's %d output tokens)", got, want, out)
			}
		})
	}
}

func TestBreakerNeedsSeveralRealFailures(t *testing.T) {
	var b breaker
	now := time.Unix(1000, 0)
	for i := 1; i < breakerFailures; i++ {
		if b.failure(now) || !b.allow(now) {
			t.Fatalf("open after %d failures", i)
		}
	}
	b.success()
	for i := 1; i < breakerFailures; i++ {
		b.failure(now)
	}
	if !b.allow(now) {
		t.Fatal("a success in between did not reset the count")
	}
	if !b.failure(now) || b.allow(now) || b.allow(now.Add(breakerOpen-time.Millisecond)) {
		t.Fatal("not open after three failures in a row")
	}
	later := now.Add(breakerOpen)
	if !b.allow(later) || b.allow(later) {
		t.Fatal("half open: exactly one probe must go through")
	}
	b.success()
	if !b.allow(later) || !b.allow(later) {
		t.Fatal("closed after a successful probe")
	}
}

// TestCancelledClientsDoNotTouchSharedLimits is #16's second case at the
// handler: requests whose client has gone (a cancelled context) on one key
// are counted in Redis like any other, the backend error counter does not
// move, and another key's limit holds exactly; with on_redis_error closed,
// nobody gets a 503.
func TestCancelledClientsDoNotTouchSharedLimits(t *testing.T) {
	for _, mode := range []string{"open", "closed"} {
		t.Run(mode, func(t *testing.T) {
			h := newTestHandler(t, &Limits{RPM: 60}, nil, nil)
			opts, err := redis.ParseURL(testdb.RedisURL(t))
			if err != nil {
				t.Fatal(err)
			}
			client := redis.NewClient(opts)
			t.Cleanup(func() { client.Close() })
			prefix := fmt.Sprintf("aigw-test:cancel:%s:%d:", mode, time.Now().UnixNano())
			t.Cleanup(func() { cleanPrefix(client, prefix) })
			h.backend, h.redis, h.OnRedisError = rl.NewRedis(client, prefix, nil), true, mode
			errorsBefore := testutil.ToFloat64(backendErrors.WithLabelValues(mode))

			noisy := &store.KeyRecord{ID: "noisy", TenantID: "t1", TenantActive: true, UserActive: true}
			var wg sync.WaitGroup
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 250; i++ {
						ctx, cancel := context.WithCancel(context.Background())
						cancel() // the client has gone before the limiter runs
						r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(chatBody)).WithContext(ctx)
						r, st := state.Attach(r, 0)
						st.Key = noisy
						w := httptest.NewRecorder()
						h.ServeHTTP(w, r, nextFunc(func(w http.ResponseWriter, r *http.Request) error { return nil })) //nolint:errcheck
						if w.Code == 503 {
							t.Errorf("a cancelled request got 503: the limiter gave up on Redis")
							return
						}
					}
				}()
			}
			quiet := &store.KeyRecord{ID: "quiet", TenantID: "t2", TenantActive: true, UserActive: true}
			ok := 0
			for i := 0; i < 100; i++ {
				if call(t, h, quiet, chatBody, state.Usage{}).Code == 200 {
					ok++
				}
			}
			wg.Wait()
			if ok != 60 {
				t.Errorf("the other key got %d of 100 through a limit of 60 a minute", ok)
			}
			if d := testutil.ToFloat64(backendErrors.WithLabelValues(mode)) - errorsBefore; d != 0 {
				t.Errorf("backend errors rose by %v for client cancellations", d)
			}
		})
	}
}

func cleanPrefix(c *redis.Client, prefix string) {
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
}
