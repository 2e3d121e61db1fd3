package auth

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/store"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestKeyCacheFreshStaleAndNegative(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	c := newKeyCache(30*time.Second, 10*time.Second, time.Hour, 100)
	c.now = clk.now
	known, unknown := apikey.Sum("a"), apikey.Sum("b")
	rec := &store.KeyRecord{ID: "k1"}
	c.put(known, rec)
	c.put(unknown, nil)

	if got, st := c.get(known); st != fresh || got != rec {
		t.Fatalf("known key: got %v, %v", got, st)
	}
	if got, st := c.get(unknown); st != fresh || got != nil {
		t.Fatalf("unknown key: got %v, %v; want cached as unknown", got, st)
	}
	clk.t = clk.t.Add(10 * time.Second)
	if _, st := c.get(unknown); st != missing {
		t.Error("unknown key still cached after the negative TTL")
	}
	clk.t = clk.t.Add(20 * time.Second)
	if got, st := c.get(known); st != stale || got != rec {
		t.Errorf("known key after its TTL: %v, %v; want stale", got, st)
	}
	c.retryLater(known, 5*time.Second)
	if _, st := c.get(known); st != fresh {
		t.Errorf("after a failed refresh: %v; want no new refresh for 5s", st)
	}
	clk.t = clk.t.Add(time.Hour)
	if _, st := c.get(known); st != missing {
		t.Errorf("known key past its stale window: %v", st)
	}
}

func TestKeyCacheDropAndStaleAll(t *testing.T) {
	c := newKeyCache(time.Minute, time.Minute, time.Hour, 100)
	a, b, u := apikey.Sum("a"), apikey.Sum("b"), apikey.Sum("u")
	c.put(a, &store.KeyRecord{ID: "a", TenantID: "t1"})
	c.put(b, &store.KeyRecord{ID: "b", TenantID: "t2"})
	c.put(u, nil)
	if n := c.dropWhere(func(r *store.KeyRecord) bool { return r.TenantID == "t1" }); n != 1 {
		t.Errorf("dropWhere dropped %d", n)
	}
	if _, st := c.get(a); st != missing {
		t.Error("dropped key still cached")
	}
	c.staleAll()
	if _, st := c.get(b); st != stale {
		t.Errorf("after staleAll: %v, want stale", st)
	}
	if _, st := c.get(u); st != missing {
		t.Error("negative entry survived staleAll")
	}
	c.drop(b)
	if c.len() != 0 {
		t.Errorf("len = %d after dropping everything", c.len())
	}
}

// TestKeyCacheBoundedUnderRandomKeyFlood is the regression test for memory
// growth under a flood of random keys.
func TestKeyCacheBoundedUnderRandomKeyFlood(t *testing.T) {
	c := newKeyCache(time.Minute, time.Minute, time.Hour, 1000)
	for i := 0; i < 50_000; i++ {
		c.put(apikey.Sum(fmt.Sprint("random-", i)), nil)
		if n := c.len(); n > 1000 {
			t.Fatalf("cache holds %d entries, bound is 1000", n)
		}
	}
}

func TestKeyCacheZeroTTLDisablesCaching(t *testing.T) {
	c := newKeyCache(0, 0, 0, 10)
	c.put(apikey.Sum("x"), &store.KeyRecord{})
	if _, st := c.get(apikey.Sum("x")); st != missing {
		t.Error("cached with TTL 0")
	}
}

func BenchmarkKeyCacheHit(b *testing.B) {
	c := newKeyCache(time.Minute, time.Minute, time.Hour, 100_000)
	h := apikey.Sum("sk-aigw-bench")
	c.put(h, &store.KeyRecord{ID: "k"})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, st := c.get(h); st != fresh {
				b.Fatal("miss")
			}
		}
	})
}

// BenchmarkKeyCacheMemory100k reports the heap held by 100,000 cached keys.
func BenchmarkKeyCacheMemory100k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c := newKeyCache(time.Minute, time.Minute, time.Hour, 200_000)
		for j := 0; j < 100_000; j++ {
			c.put(apikey.Sum(fmt.Sprint("k", j)), &store.KeyRecord{ID: "0b7e7e4c-7a5b-4d5e-9d7a-2f1b3c4d5e6f",
				TenantID: "6a1f0c52-1d6b-4a8e-8f60-0e4c7a9b3d21", TenantSlug: "acme", Prefix: "sk-aigw-ABCDEF",
				Name: "service key", UserActive: true, TenantActive: true})
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB/100k-keys")
		runtime.KeepAlive(c)
	}
}
