package auth

import (
	"sync"
	"time"

	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/store"
)

// keyCache remembers key lookups so that the request path does not reach the
// database: known keys for ttl, unknown keys (rec == nil) for negTTL. It holds
// at most max entries; when full it drops expired entries and, failing that,
// an arbitrary tenth, so a flood of random keys cannot grow it without bound.
type keyCache struct {
	mu      sync.RWMutex
	entries map[apikey.Hash]cacheEntry
	ttl     time.Duration
	negTTL  time.Duration
	max     int
	now     func() time.Time
}

type cacheEntry struct {
	rec     *store.KeyRecord // nil: known not to exist
	expires time.Time
}

func newKeyCache(ttl, negTTL time.Duration, max int) *keyCache {
	return &keyCache{entries: make(map[apikey.Hash]cacheEntry), ttl: ttl, negTTL: negTTL, max: max, now: time.Now}
}

// get returns the cached record for h; found is false when h is not cached or
// its entry has expired. A found nil record means "no such key".
func (c *keyCache) get(h apikey.Hash) (rec *store.KeyRecord, found bool) {
	c.mu.RLock()
	e, ok := c.entries[h]
	c.mu.RUnlock()
	if !ok || !c.now().Before(e.expires) {
		return nil, false
	}
	return e.rec, true
}

// put caches rec (nil for an unknown key) under h.
func (c *keyCache) put(h apikey.Hash, rec *store.KeyRecord) {
	ttl := c.ttl
	if rec == nil {
		ttl = c.negTTL
	}
	if ttl <= 0 {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		c.evictLocked(now)
	}
	c.entries[h] = cacheEntry{rec: rec, expires: now.Add(ttl)}
}

func (c *keyCache) evictLocked(now time.Time) {
	for h, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, h)
		}
	}
	drop := len(c.entries) - c.max + c.max/10 + 1
	for h := range c.entries { // map order is random enough for eviction
		if drop <= 0 {
			break
		}
		delete(c.entries, h)
		drop--
	}
}

func (c *keyCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
