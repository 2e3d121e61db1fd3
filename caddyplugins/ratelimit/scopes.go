package ratelimit

import (
	"sync"
	"sync/atomic"
	"time"

	rl "github.com/aigw/aigw/internal/ratelimit"
	"github.com/aigw/aigw/internal/store"
)

// scopeCache remembers the scopes of each key and model: building them
// ("key:<id>", "user:<id>", "tenant:<id>", "model:<id>", each with its
// limits) took five allocations a request. An entry holds what it was built
// from and is rebuilt when any of it differs, so a key whose limits change
// in the database gets new scopes with its refreshed record. The scopes are
// shared by concurrent requests: backends only read them. The cache is
// emptied when it reaches maxScopeEntries: bounded memory, no LRU
// bookkeeping on the hot path.
type scopeCache struct {
	mu      sync.RWMutex
	entries map[scopeKey]*scopeEntry
}

const maxScopeEntries = 8192

type scopeKey struct{ key, model string }

// scopeEntry is the scopes of one key and model, and what they were built from.
type scopeEntry struct {
	userID, tenantID         string
	keyLimits                store.Limits
	userLimits, tenantLimits store.Limits
	hasModel                 bool
	scopes                   []rl.Scope
}

func (e *scopeEntry) matches(k *store.KeyRecord, hasModel bool) bool {
	return e.userID == k.UserID && e.tenantID == k.TenantID && e.keyLimits == k.KeyLimits() &&
		e.userLimits == k.UserLimits && e.tenantLimits == k.TenantLimits && e.hasModel == hasModel
}

// get returns the cached scopes of k and model, or builds them with build
// and caches them.
func (c *scopeCache) get(k *store.KeyRecord, model string, hasModel bool, build func() []rl.Scope) []rl.Scope {
	sk := scopeKey{key: k.ID, model: model}
	c.mu.RLock()
	e := c.entries[sk]
	c.mu.RUnlock()
	if e != nil && e.matches(k, hasModel) {
		return e.scopes
	}
	e = &scopeEntry{
		userID: k.UserID, tenantID: k.TenantID, keyLimits: k.KeyLimits(),
		userLimits: k.UserLimits, tenantLimits: k.TenantLimits, hasModel: hasModel, scopes: build(),
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= maxScopeEntries {
		c.entries = make(map[scopeKey]*scopeEntry, 64)
	}
	c.entries[sk] = e
	c.mu.Unlock()
	return e.scopes
}

// period is a calendar month of the budgets' time zone.
type period struct {
	start, end time.Time
	name       string // "2006-01"
}

// monthOf returns the budget period holding now, reusing the last one: its
// name was formatted (one allocation) and its bounds computed for every
// request.
func (h *Handler) monthOf(now time.Time) *period {
	if h.month != nil {
		if p := h.month.Load(); p != nil && !now.Before(p.start) && now.Before(p.end) {
			return p
		}
	}
	local := now.In(h.loc)
	start := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, h.loc)
	p := &period{start: start, end: start.AddDate(0, 1, 0), name: local.Format("2006-01")}
	if h.month != nil {
		h.month.Store(p)
	}
	return p
}

// monthCache holds the last period monthOf computed.
type monthCache = atomic.Pointer[period]
