package auth

import (
	"sync"
	"time"

	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/store"
)

// keyCache remembers key lookups so that the request path does not reach the
// database. A known key is fresh for ttl after it was read; after that it is
// stale and refreshed in the background, and it may still be served until
// staleTTL after the last successful read, so a database outage does not stop
// known keys. An unknown key (rec == nil) is remembered for negTTL and never
// served stale. The cache holds at most max entries; when full it drops
// expired entries and, failing that, an arbitrary tenth, so a flood of random
// keys cannot grow it without bound.
type keyCache struct {
	mu       sync.RWMutex
	entries  map[apikey.Hash]*cacheEntry
	ttl      time.Duration
	negTTL   time.Duration
	staleTTL time.Duration
	max      int
	now      func() time.Time
}

type cacheEntry struct {
	rec        *store.KeyRecord // nil: known not to exist
	fresh      time.Time        // until when no refresh is needed
	staleUntil time.Time        // until when rec may be served without a refresh
}

// lookupState says what the cache knows of a key.
type lookupState int

const (
	missing lookupState = iota // not cached, or too old to use: look it up
	fresh                      // use it
	stale                      // use it, and refresh it in the background
)

func newKeyCache(ttl, negTTL, staleTTL time.Duration, max int) *keyCache {
	return &keyCache{entries: make(map[apikey.Hash]*cacheEntry), ttl: ttl, negTTL: negTTL, staleTTL: staleTTL, max: max, now: time.Now}
}

// get returns the cached record for h (nil meaning "no such key") and whether
// it may be used.
func (c *keyCache) get(h apikey.Hash) (*store.KeyRecord, lookupState) {
	c.mu.RLock()
	e, ok := c.entries[h]
	var rec *store.KeyRecord
	var freshUntil, staleUntil time.Time
	if ok {
		rec, freshUntil, staleUntil = e.rec, e.fresh, e.staleUntil
	}
	c.mu.RUnlock()
	if !ok {
		return nil, missing
	}
	now := c.now()
	switch {
	case now.Before(freshUntil):
		return rec, fresh
	case rec != nil && now.Before(staleUntil):
		return rec, stale
	}
	return nil, missing
}

// put caches rec (nil for an unknown key) under h, as just read.
func (c *keyCache) put(h apikey.Hash, rec *store.KeyRecord) {
	ttl, staleTTL := c.ttl, c.ttl+c.staleTTL
	if rec == nil {
		ttl, staleTTL = c.negTTL, 0
	}
	if ttl <= 0 {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[h]; !ok && len(c.entries) >= c.max {
		c.evictLocked(now)
	}
	c.entries[h] = &cacheEntry{rec: rec, fresh: now.Add(ttl), staleUntil: now.Add(staleTTL)}
}

// retryLater postpones the next refresh of a stale entry by d, after a failed
// one, so an unreachable database is asked once per d per key, not per request.
func (c *keyCache) retryLater(h apikey.Hash, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[h]; ok {
		e.fresh = c.now().Add(d)
	}
}

// drop forgets h (a changed or revoked key).
func (c *keyCache) drop(h apikey.Hash) {
	c.mu.Lock()
	delete(c.entries, h)
	c.mu.Unlock()
}

// dropWhere forgets every known key for which match is true (the keys of a
// suspended tenant, say).
func (c *keyCache) dropWhere(match func(*store.KeyRecord) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for h, e := range c.entries {
		if e.rec != nil && match(e.rec) {
			delete(c.entries, h)
			n++
		}
	}
	return n
}

// staleAll marks every entry as needing a refresh (used after change
// notifications may have been missed), keeping known keys servable.
func (c *keyCache) staleAll() {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.entries {
		if e.rec == nil {
			delete(c.entries, h)
			continue
		}
		e.fresh = now
	}
}

func (c *keyCache) evictLocked(now time.Time) {
	for h, e := range c.entries {
		if !now.Before(e.fresh) && !now.Before(e.staleUntil) {
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
