package ratelimit

import (
	"sync/atomic"
	"time"
)

// breaker decides whether to ask Redis. Only real failures of Redis calls
// count (the calls run on a context the client cannot cancel, with their
// own deadline): after breakerFailures of them in a row it opens, and for
// breakerOpen every request is decided without Redis (per on_redis_error);
// then one request probes Redis while the others still go without, and the
// probe's outcome closes the breaker or opens it again. A single failure
// only decides its own request.
type breaker struct {
	failures  atomic.Int32
	openUntil atomic.Int64 // Unix ns; 0 while closed
	probing   atomic.Bool
}

// Thresholds of the breaker.
const (
	breakerFailures = 3
	breakerOpen     = time.Second
)

// allow reports whether this request may call Redis.
func (b *breaker) allow(now time.Time) bool {
	until := b.openUntil.Load()
	if until == 0 {
		return true
	}
	if now.UnixNano() < until {
		return false
	}
	return b.probing.CompareAndSwap(false, true) // half open: one probe at a time
}

// success records a call that worked: the breaker closes.
func (b *breaker) success() {
	if b.failures.Load() != 0 {
		b.failures.Store(0)
	}
	if b.openUntil.Load() != 0 {
		b.openUntil.Store(0)
		b.probing.Store(false)
	}
}

// failure records a real failure and reports whether the breaker is now open.
func (b *breaker) failure(now time.Time) bool {
	n := b.failures.Add(1)
	opened := n >= breakerFailures
	if opened {
		b.openUntil.Store(now.Add(breakerOpen).UnixNano())
	}
	b.probing.Store(false)
	return opened
}
