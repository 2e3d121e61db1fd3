package ratelimit

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/aigw/aigw/internal/testdb"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)} }
func monthEnd(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}
func monthOf(t time.Time) string { return t.Format("2006-01") }

// backends runs f against each backend; Redis only when AIGW_TEST_REDIS_URL is
// set (required when AIGW_REQUIRE_INTEGRATION is).
func backends(t *testing.T, f func(t *testing.T, b Backend, clk *clock)) {
	t.Run("memory", func(t *testing.T) {
		clk := newClock()
		f(t, NewMemory(clk.now), clk)
	})
	t.Run("redis", func(t *testing.T) {
		clk := newClock()
		f(t, NewRedis(testRedis(t), fmt.Sprintf("aigw-test:%s:%d:", t.Name(), time.Now().UnixNano()), clk.now), clk)
	})
}

func testRedis(t testing.TB) *redis.Client {
	t.Helper()
	url := testdb.RedisURL(t)
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() {
		// Remove this test's keys.
		ctx := context.Background()
		iter := c.Scan(ctx, 0, "aigw-test:"+t.Name()+":*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		c.Close()
	})
	return c
}

func reserve(t *testing.T, b Backend, clk *clock, tokens, cost int64, scopes ...Scope) Decision {
	t.Helper()
	now := clk.now()
	d, err := b.Reserve(context.Background(), &Request{ID: fmt.Sprint(now.UnixNano(), tokens, cost, len(scopes), reqSeq.Add(1)),
		Scopes: scopes, Tokens: tokens, Cost: cost, Month: monthOf(now), MonthEnd: monthEnd(now)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var reqSeq atomic.Int64

func TestRequestsPerMinuteSlidingWindow(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		key := Scope{Name: "key:a", Limits: Limits{RPM: 5}}
		for i := 0; i < 5; i++ {
			d := reserve(t, b, clk, 0, 0, key)
			if !d.Allowed || d.Requests.Remaining != int64(4-i) || d.Requests.Limit != 5 {
				t.Fatalf("request %d: %+v", i, d)
			}
		}
		d := reserve(t, b, clk, 0, 0, key)
		if d.Allowed || d.Reason != ReasonRequests || d.Scope != "key:a" || d.RetryAfter != Window+Window/5 {
			t.Fatalf("6th request: %+v", d)
		}
		// 72s: the next window starts in 60s, where the 5 of this one count
		// until 20% of it has passed.
		// Half way into the next window, half of the previous five still count.
		clk.add(Window + Window/2)
		allowed := 0
		for i := 0; i < 5; i++ {
			if reserve(t, b, clk, 0, 0, key).Allowed {
				allowed++
			}
		}
		if allowed != 2 {
			t.Errorf("half a window later: %d admitted, want 2 (5 - 2.5 carried over)", allowed)
		}
	})
}

func TestTokensReserveAndSettle(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		key := Scope{Name: "key:t", Limits: Limits{TPM: 1000}}
		d1 := reserve(t, b, clk, 600, 0, key)
		if !d1.Allowed || d1.Tokens.Remaining != 400 {
			t.Fatalf("first: %+v", d1)
		}
		if d := reserve(t, b, clk, 600, 0, key); d.Allowed || d.Reason != ReasonTokens {
			t.Fatalf("second before settling: %+v", d)
		}
		if err := b.Settle(context.Background(), d1.Slot, 100, 0); err != nil {
			t.Fatal(err)
		}
		if d := reserve(t, b, clk, 600, 0, key); !d.Allowed || d.Tokens.Remaining != 300 {
			t.Fatalf("after settling the first at 100 tokens: %+v", d)
		}
		if d := reserve(t, b, clk, 5000, 0, key); d.Allowed || d.RetryAfter != Window {
			t.Fatalf("a request larger than the limit: %+v", d)
		}
	})
}

func TestConcurrency(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		key := Scope{Name: "key:c", Limits: Limits{Concurrency: 2}}
		d1, d2 := reserve(t, b, clk, 0, 0, key), reserve(t, b, clk, 0, 0, key)
		if !d1.Allowed || !d2.Allowed {
			t.Fatal("first two refused")
		}
		if d := reserve(t, b, clk, 0, 0, key); d.Allowed || d.Reason != ReasonConcurrency {
			t.Fatalf("third in flight: %+v", d)
		}
		b.Settle(context.Background(), d1.Slot, 0, 0) //nolint:errcheck
		if d := reserve(t, b, clk, 0, 0, key); !d.Allowed {
			t.Fatalf("after one finished: %+v", d)
		}
	})
}

func TestBudgetMonth(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		tenant := Scope{Name: "tenant:b", Limits: Limits{Budget: 1000}}
		d1 := reserve(t, b, clk, 0, 400, tenant)
		if d := reserve(t, b, clk, 0, 400, tenant); !d1.Allowed || !d.Allowed {
			t.Fatal("first two within budget refused")
		}
		d := reserve(t, b, clk, 0, 400, tenant)
		if d.Allowed || d.Reason != ReasonBudget || d.RetryAfter != monthEnd(clk.now()).Sub(clk.now()) {
			t.Fatalf("over budget: %+v", d)
		}
		b.Settle(context.Background(), d1.Slot, 0, 100) //nolint:errcheck
		if d := reserve(t, b, clk, 0, 400, tenant); !d.Allowed {
			t.Fatalf("after settling 400 down to 100: %+v", d)
		}
		if d := reserve(t, b, clk, 0, 400, tenant); d.Allowed {
			t.Fatalf("spent 900 + 400: %+v", d)
		}
		clk.add(6 * 24 * time.Hour) // December
		if d := reserve(t, b, clk, 0, 1000, tenant); !d.Allowed {
			t.Fatalf("new month: %+v", d)
		}
	})
}

func TestSeedBudgetRaisesNeverLowers(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		tenant := Scope{Name: "tenant:s", Limits: Limits{Budget: 1000}}
		ctx, month := context.Background(), monthOf(clk.now())
		if err := b.SeedBudget(ctx, tenant.Name, month, 700); err != nil {
			t.Fatal(err)
		}
		if d := reserve(t, b, clk, 0, 400, tenant); d.Allowed {
			t.Fatalf("700 seeded + 400: %+v", d)
		}
		if d := reserve(t, b, clk, 0, 300, tenant); !d.Allowed {
			t.Fatalf("700 seeded + 300: %+v", d)
		}
		b.SeedBudget(ctx, tenant.Name, month, 100) //nolint:errcheck
		if d := reserve(t, b, clk, 0, 1, tenant); d.Allowed {
			t.Fatalf("a lower seed lowered the spend: %+v", d)
		}
		b.SeedBudget(ctx, tenant.Name, "2026-10", 5000) //nolint:errcheck
		clk.add(6 * 24 * time.Hour)
		if d := reserve(t, b, clk, 0, 1000, tenant); !d.Allowed {
			t.Fatalf("next month: %+v", d)
		}
	})
}

func TestRefusalCountsNowhere(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		key := Scope{Name: "key:x", Limits: Limits{RPM: 100}}
		tenant := Scope{Name: "tenant:x", Limits: Limits{RPM: 1}}
		reserve(t, b, clk, 0, 0, key, tenant)
		for i := 0; i < 3; i++ {
			if d := reserve(t, b, clk, 0, 0, key, tenant); d.Allowed || d.Scope != "tenant:x" {
				t.Fatalf("tenant over its limit: %+v", d)
			}
		}
		if d := reserve(t, b, clk, 0, 0, key); !d.Allowed || d.Requests.Remaining != 98 {
			t.Fatalf("key alone: %+v; refused requests must not count", d)
		}
	})
}

func TestConcurrentReservationsNeverOvershoot(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		key := Scope{Name: "key:race", Limits: Limits{RPM: 100}}
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for g := 0; g < 20; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 15; i++ {
					d, err := b.Reserve(context.Background(), &Request{ID: fmt.Sprint(reqSeq.Add(1)), Scopes: []Scope{key}})
					if err == nil && d.Allowed {
						admitted.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if admitted.Load() != 100 {
			t.Errorf("admitted %d of 300, limit 100", admitted.Load())
		}
	})
}

func BenchmarkMemoryReserveSettle(b *testing.B) {
	m := NewMemory(nil)
	scopes := []Scope{{Name: "key:1", Limits: Limits{RPM: 1 << 40, TPM: 1 << 40, Concurrency: 1 << 20}},
		{Name: "tenant:1", Limits: Limits{RPM: 1 << 40, TPM: 1 << 40, Budget: 1 << 60}}, {Name: "model:gpt", Limits: Limits{RPM: 1 << 40}}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d, _ := m.Reserve(context.Background(), &Request{ID: "r", Scopes: scopes, Tokens: 100, Cost: 10, Month: "2026-11"})
		m.Settle(context.Background(), d.Slot, 90, 9) //nolint:errcheck
	}
}

// BenchmarkMemoryBackend100kKeys reports the heap held by the in-process
// backend after 100,000 distinct keys made a request each (key and tenant
// scopes with every kind of limit).
func BenchmarkMemoryBackend100kKeys(b *testing.B) {
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m := NewMemory(nil)
		lim := Limits{RPM: 600, TPM: 100000, Concurrency: 10, Budget: 1 << 40}
		for j := 0; j < 100_000; j++ {
			d, _ := m.Reserve(context.Background(), &Request{ID: "r", Month: "2026-11", Tokens: 100, Cost: 1000, Scopes: []Scope{
				{Name: fmt.Sprintf("key:%08d-7a5b-4d5e-9d7a-2f1b3c4d5e6f", j), Limits: lim},
				{Name: "tenant:6a1f0c52-1d6b-4a8e-8f60-0e4c7a9b3d21", Limits: lim}}})
			m.Settle(context.Background(), d.Slot, 90, 900) //nolint:errcheck
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB/100k-keys")
		runtime.KeepAlive(m)
	}
}
