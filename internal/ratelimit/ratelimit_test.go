package ratelimit

import (
	"context"
	"fmt"
	"math/rand/v2"
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

func TestRequestsPerMinuteWindow(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		key := Scope{Name: "key:a", Limits: Limits{RPM: 5}}
		clk.add(10*time.Second + 250*time.Millisecond) // 10:00:10.250
		for i := 0; i < 5; i++ {
			d := reserve(t, b, clk, 0, 0, key)
			if !d.Allowed || d.Requests.Remaining != int64(4-i) || d.Requests.Limit != 5 || d.Requests.Reset != 60750*time.Millisecond {
				t.Fatalf("request %d: %+v", i, d)
			}
		}
		// The five were counted in the bucket 10:00:10-11, which leaves the
		// window once a whole minute has passed since its end: at 10:01:11.
		d := reserve(t, b, clk, 0, 0, key)
		if d.Allowed || d.Reason != ReasonRequests || d.Scope != "key:a" || d.RetryAfter != 60750*time.Millisecond {
			t.Fatalf("6th request: %+v", d)
		}
		clk.add(60*time.Second + 749*time.Millisecond) // 10:01:10.999
		if d := reserve(t, b, clk, 0, 0, key); d.Allowed || d.RetryAfter != time.Millisecond {
			t.Fatalf("a minute and 0.749s later: %+v", d)
		}
		clk.add(time.Millisecond) // 10:01:11.000
		for i := 0; i < 5; i++ {
			if d := reserve(t, b, clk, 0, 0, key); !d.Allowed {
				t.Fatalf("request %d after the first five left the window: %+v", i, d)
			}
		}
	})
}

// TestNoSixtySecondSpanOverLimit admits requests arriving at random times
// in bursts (many placed just before and after minute boundaries) for ten
// minutes of an injected clock and checks every 60-second span of the
// admitted requests' times, closed at both ends: none holds more than the
// limit, in requests or in tokens.
func TestNoSixtySecondSpanOverLimit(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		const rpm, tpm = 40, 1500
		key := Scope{Name: "key:span", Limits: Limits{RPM: rpm, TPM: tpm}}
		rng := rand.New(rand.NewPCG(16, 60))
		start := clk.now()
		var reqTimes []time.Time
		var tokTimes []weighted
		for clk.now().Sub(start) < 10*time.Minute {
			// A burst of 1-30 requests, then a pause of up to 4 s; every
			// third burst is moved to within 300 ms of a minute boundary.
			if rng.IntN(3) == 0 {
				next := clk.now().Truncate(time.Minute).Add(time.Minute)
				clk.add(next.Sub(clk.now()) - 300*time.Millisecond + time.Duration(rng.IntN(600))*time.Millisecond)
			}
			for n := 1 + rng.IntN(30); n > 0; n-- {
				tokens := int64(1 + rng.IntN(60))
				if d := reserve(t, b, clk, tokens, 0, key); d.Allowed {
					reqTimes = append(reqTimes, clk.now())
					tokTimes = append(tokTimes, weighted{clk.now(), tokens})
				}
				clk.add(time.Duration(rng.IntN(40)) * time.Millisecond)
			}
			clk.add(time.Duration(rng.IntN(4000)) * time.Millisecond)
		}
		if worst := maxInSpan(unit(reqTimes), Window); worst > rpm {
			t.Errorf("%d requests admitted in one 60-second span, limit %d", worst, rpm)
		}
		if worst := maxInSpan(tokTimes, Window); worst > tpm {
			t.Errorf("%d tokens admitted in one 60-second span, limit %d", worst, tpm)
		}
		t.Logf("%d requests admitted in 10 minutes; busiest 60 s span: %d requests, %d tokens",
			len(reqTimes), maxInSpan(unit(reqTimes), Window), maxInSpan(tokTimes, Window))
	})
}

// TestBurstAtMinuteEndIsNotForgotten is #16's case: a full burst late in one
// minute, then demand early in the next, must not be admitted again until the
// burst is a minute old.
func TestBurstAtMinuteEndIsNotForgotten(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		key := Scope{Name: "key:edge", Limits: Limits{RPM: 300}}
		clk.add(59*time.Second + 900*time.Millisecond) // 10:00:59.900
		next := clk.now().Truncate(time.Minute).Add(time.Minute)
		for i := 0; i < 300; i++ {
			if !reserve(t, b, clk, 0, 0, key).Allowed {
				t.Fatalf("request %d of the burst refused", i)
			}
		}
		for _, at := range []time.Duration{200 * time.Millisecond, 20 * time.Second, 59*time.Second + 999*time.Millisecond} {
			clk.add(next.Add(at).Sub(clk.now()))
			if d := reserve(t, b, clk, 0, 0, key); d.Allowed {
				t.Fatalf("%v into the next minute: admitted after a full burst 0.1s before it", at)
			}
		}
		clk.add(next.Add(time.Minute).Sub(clk.now())) // 10:02:00, when the burst's bucket leaves the window
		if d := reserve(t, b, clk, 0, 0, key); !d.Allowed {
			t.Fatalf("a minute after the burst's second: %+v", d)
		}
	})
}

// TestSteadyDemandUsesTheLimit checks the other side: under steady demand
// above the limit, a scope admits its limit in every 61 seconds (the window
// counts at most one bucket more than a minute).
func TestSteadyDemandUsesTheLimit(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		const rpm = 40
		key := Scope{Name: "key:steady", Limits: Limits{RPM: rpm}}
		var admitted []time.Time
		for i := 0; i < 6000; i++ { // ten a second for ten minutes
			if reserve(t, b, clk, 0, 0, key).Allowed {
				admitted = append(admitted, clk.now())
			}
			clk.add(100 * time.Millisecond)
		}
		for i := 0; i+rpm < len(admitted); i += rpm {
			if gap := admitted[i+rpm].Sub(admitted[i]); gap > Window+BucketWidth {
				t.Fatalf("requests %d and %d admitted %v apart under steady demand; want at most 61s", i, i+rpm, gap)
			}
		}
		if len(admitted) < 600*rpm/61 {
			t.Errorf("%d admitted in ten minutes at limit %d", len(admitted), rpm)
		}
	})
}

type weighted struct {
	at time.Time
	n  int64
}

func unit(ts []time.Time) []weighted {
	out := make([]weighted, len(ts))
	for i, t := range ts {
		out[i] = weighted{t, 1}
	}
	return out
}

// maxInSpan returns the largest sum of events (in time order) within any
// closed span of length d.
func maxInSpan(ev []weighted, d time.Duration) int64 {
	var best, sum int64
	lo := 0
	for hi := range ev {
		sum += ev[hi].n
		for ev[hi].at.Sub(ev[lo].at) > d {
			sum -= ev[lo].n
			lo++
		}
		best = max(best, sum)
	}
	return best
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
		if d := reserve(t, b, clk, 5000, 0, key); d.Allowed || d.RetryAfter != Window || !d.TooLarge {
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

func TestSettleOfAForgottenBucketChangesNothing(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		key := Scope{Name: "key:late", Limits: Limits{TPM: 1000}}
		d1 := reserve(t, b, clk, 800, 0, key)
		clk.add(Window + 2*BucketWidth) // a call longer than a minute
		d2 := reserve(t, b, clk, 900, 0, key)
		if !d1.Allowed || !d2.Allowed {
			t.Fatalf("reservations: %+v %+v", d1, d2)
		}
		if err := b.Settle(context.Background(), d1.Slot, 10, 0); err != nil {
			t.Fatal(err)
		}
		if d := reserve(t, b, clk, 101, 0, key); d.Allowed || d.Tokens.Remaining != 100 {
			t.Fatalf("settling a reservation whose bucket left the window changed the current one: %+v", d)
		}
	})
}

func TestClockSteppingBackForgetsNothing(t *testing.T) {
	backends(t, func(t *testing.T, b Backend, clk *clock) {
		key := Scope{Name: "key:back", Limits: Limits{RPM: 2}}
		clk.add(30 * time.Second)
		reserve(t, b, clk, 0, 0, key)
		clk.add(-20 * time.Second)
		reserve(t, b, clk, 0, 0, key)                  // counted in the newest bucket, 10:00:30
		clk.add(80*time.Second + 999*time.Millisecond) // 10:01:30.999 by the clock
		if d := reserve(t, b, clk, 0, 0, key); d.Allowed {
			t.Fatalf("admitted a third while both are counted: %+v", d)
		}
		clk.add(time.Millisecond)
		if d := reserve(t, b, clk, 0, 0, key); !d.Allowed {
			t.Fatalf("both left the window: %+v", d)
		}
	})
}
