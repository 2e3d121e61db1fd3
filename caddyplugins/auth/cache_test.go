package auth

import (
	"fmt"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/store"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestKeyCacheExpiry(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	c := newKeyCache(30*time.Second, 10*time.Second, 100)
	c.now = clk.now
	known, unknown := apikey.Sum("a"), apikey.Sum("b")
	rec := &store.KeyRecord{ID: "k1"}
	c.put(known, rec)
	c.put(unknown, nil)

	if got, ok := c.get(known); !ok || got != rec {
		t.Fatalf("known key: got %v, %v", got, ok)
	}
	if got, ok := c.get(unknown); !ok || got != nil {
		t.Fatalf("unknown key: got %v, %v; want cached as unknown", got, ok)
	}
	clk.t = clk.t.Add(10 * time.Second)
	if _, ok := c.get(unknown); ok {
		t.Error("unknown key still cached after the negative TTL")
	}
	if _, ok := c.get(known); !ok {
		t.Error("known key expired before its TTL")
	}
	clk.t = clk.t.Add(20 * time.Second)
	if _, ok := c.get(known); ok {
		t.Error("known key still cached after its TTL")
	}
}

// TestKeyCacheBoundedUnderRandomKeyFlood is the regression test for memory
// growth under a flood of random keys.
func TestKeyCacheBoundedUnderRandomKeyFlood(t *testing.T) {
	c := newKeyCache(time.Minute, time.Minute, 1000)
	for i := 0; i < 50_000; i++ {
		c.put(apikey.Sum(fmt.Sprint("random-", i)), nil)
		if n := c.len(); n > 1000 {
			t.Fatalf("cache holds %d entries, bound is 1000", n)
		}
	}
}

func TestKeyCacheZeroTTLDisablesCaching(t *testing.T) {
	c := newKeyCache(0, 0, 10)
	c.put(apikey.Sum("x"), &store.KeyRecord{})
	if _, ok := c.get(apikey.Sum("x")); ok {
		t.Error("cached with TTL 0")
	}
}

func BenchmarkKeyCacheHit(b *testing.B) {
	c := newKeyCache(time.Minute, time.Minute, 100_000)
	h := apikey.Sum("sk-aigw-bench")
	c.put(h, &store.KeyRecord{ID: "k"})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok := c.get(h); !ok {
				b.Fatal("miss")
			}
		}
	})
}
