package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// benchScopes are the scopes of a typical call: key, tenant and model, with
// every kind of limit set high enough never to refuse.
var benchScopes = []Scope{
	{Name: "key:1", Limits: Limits{RPM: 1 << 40, TPM: 1 << 40, Concurrency: 1 << 20}},
	{Name: "tenant:1", Limits: Limits{RPM: 1 << 40, TPM: 1 << 40, Budget: 1 << 60}},
	{Name: "model:gpt", Limits: Limits{RPM: 1 << 40}},
}

// steppingClock advances by step at every reading, so a benchmark crosses
// window buckets (and their expiry) as real traffic does.
type steppingClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *steppingClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

func benchReserveSettle(b *testing.B, be Backend) {
	b.Helper()
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d, err := be.Reserve(ctx, &Request{ID: "r", Scopes: benchScopes, Tokens: 100, Cost: 10, Month: "2026-11"})
		if err != nil || !d.Allowed {
			b.Fatalf("reserve: %v %+v", err, d)
		}
		if err := be.Settle(ctx, d.Slot, 90, 9); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemoryReserveSettle is one reservation and its settlement on three
// scopes, the clock moving 10 ms per call (6,000 calls a minute per key).
func BenchmarkMemoryReserveSettle(b *testing.B) {
	clk := &steppingClock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), step: 5 * time.Millisecond}
	benchReserveSettle(b, NewMemory(clk.now))
}

// BenchmarkRedisReserveSettle is BenchmarkMemoryReserveSettle on the Redis
// backend: two round trips (reserve, settle) to the test Redis.
func BenchmarkRedisReserveSettle(b *testing.B) {
	clk := &steppingClock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), step: 5 * time.Millisecond}
	benchReserveSettle(b, NewRedis(testRedis(b), fmt.Sprintf("aigw-test:%s:%d:", b.Name(), time.Now().UnixNano()), clk.now))
}
