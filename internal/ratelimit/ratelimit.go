// Package ratelimit enforces requests per minute, tokens per minute,
// concurrent requests and monthly budgets over a set of scopes (an API key, its
// user, its tenant, the model), atomically: a request is admitted only if every
// scope has room, and then counted in all of them at once. Token and budget
// reservations are upper bounds made before the call; Settle replaces them
// with the real usage afterwards.
//
// # Minute limits
//
// A minute is split into Buckets buckets of BucketWidth (one second). A scope
// remembers how many requests and tokens it admitted in each bucket, and
// counts every bucket from the one that holds now-60s to the current one, the
// oldest in full although part of it is already more than a minute old. So
// the count always covers the whole trailing minute (and at most one bucket
// more): whatever the timing, a scope never admits more than its limit in
// any 60-second span. The price is that room comes back up to one bucket (one
// second) later than a perfect sliding log would give it.
//
// The alternatives do worse. A sliding log (one timestamp per admitted
// request) is exact but holds up to the limit's worth of entries per scope
// (100,000 timestamps for 100,000 requests a minute) and cannot sum tokens
// cheaply; the weighted two-window estimate this package used before assumes
// the previous minute's requests were spread evenly, so a burst at the end of
// one minute was mostly forgotten in the next (up to nearly twice the limit
// in a 60-second span; 1.75x was measured); a token bucket whose burst is the
// full limit admits up to twice the limit in a minute.
// Buckets are stored sparsely: a scope holds one entry per second in which it
// admitted anything (24 bytes in process, one or two small hash fields in
// Redis), at most 61, and an idle scope nothing.
//
// Two backends implement it: Memory (one node) and Redis (many nodes sharing
// one Redis, one round trip per reservation, timed by Redis's own clock so
// nodes' clocks do not matter).
package ratelimit

import (
	"context"
	"time"
)

// Window is the length of the rate windows.
const Window = time.Minute

// Buckets is the number of buckets a Window is split into, and BucketWidth
// the time each covers.
const (
	Buckets     = 60
	BucketWidth = Window / Buckets
)

// Limits are a scope's limits; zero means unlimited.
type Limits struct {
	RPM         int64 // requests per minute
	TPM         int64 // tokens per minute (prompt + completion)
	Concurrency int64 // requests in flight
	Budget      int64 // monthly spend, in picodollars (money.Pico)
}

// Zero reports whether no limit is set.
func (l Limits) Zero() bool { return l == Limits{} }

// Scope is one thing limits apply to, such as "key:<id>" or "tenant:<id>".
type Scope struct {
	Name string
	Limits
}

// Request asks to admit one call.
type Request struct {
	// ID identifies the call, for its concurrency slot.
	ID string
	// Scopes are checked and counted together. Callers may share one slice
	// between concurrent requests: backends only read it.
	Scopes []Scope
	// Tokens is the reserved prompt plus completion tokens: an upper bound
	// of what the call can use, so that settling never raises a count.
	Tokens int64
	// Cost is the reserved cost in picodollars, likewise an upper bound.
	Cost int64
	// Month names the budget period ("2026-11" in the configured time zone),
	// and MonthEnd is when it ends, for Retry-After.
	Month    string
	MonthEnd time.Time
	// Lease bounds how long a concurrency slot is held if Settle never comes
	// (a crashed node): it frees itself after that.
	Lease time.Duration
}

// Reasons a request is refused.
const (
	ReasonRequests    = "requests"
	ReasonTokens      = "tokens"
	ReasonConcurrency = "concurrency"
	ReasonBudget      = "budget"
)

// Headroom is the state of the tightest limit of one kind, for headers.
type Headroom struct {
	Limit     int64 // 0: no such limit
	Remaining int64
	// Reset is when everything counted now has left the window, that is
	// when the full limit is available again (as OpenAI's x-ratelimit-reset
	// headers mean it).
	Reset time.Duration
}

// Decision is the answer to a Request.
type Decision struct {
	Allowed bool
	// Reason and Scope say which limit refused (empty when allowed).
	Reason string
	Scope  string
	// RetryAfter is when a retry may succeed (refusals only).
	RetryAfter time.Duration
	// TooLarge reports a request that no wait would admit: it needs more
	// tokens than the limit (refusals for tokens only).
	TooLarge bool
	// Requests and Tokens are the tightest headroom, after this request.
	Requests, Tokens Headroom
	// Slot identifies the reservation, to settle it.
	Slot Slot
}

// Slot is what Settle needs of a reservation.
type Slot struct {
	ID     string
	Scopes []Scope
	Bucket int64 // index of the bucket the tokens were counted in
	Month  string
	Tokens int64
	Cost   int64
}

// Backend admits and settles requests.
type Backend interface {
	// Reserve checks every scope and, if all have room, counts the request in
	// all of them and takes a concurrency slot.
	Reserve(ctx context.Context, req *Request) (Decision, error)
	// Settle replaces the reservation's tokens and cost with the real ones
	// and frees its concurrency slot.
	Settle(ctx context.Context, s Slot, tokens, cost int64) error
	// SeedBudget raises a scope's spend in month to at least spent (what the
	// usage records say), so a budget survives restarts; it never lowers it.
	SeedBudget(ctx context.Context, scope, month string, spent int64) error
}

// bucketMs is BucketWidth in milliseconds.
const bucketMs = int64(BucketWidth / time.Millisecond)

// bucketOf returns the index of the bucket holding ms (Unix milliseconds).
func bucketOf(ms int64) int64 { return ms / bucketMs }

// leaves returns how long after nowMs bucket idx stops being counted: once
// the current bucket is Buckets past it.
func leaves(idx, nowMs int64) time.Duration {
	return time.Duration((idx+Buckets+1)*bucketMs-nowMs) * time.Millisecond
}

// headroom builds the header view of one limit holding count, whose newest
// counted bucket is newest.
func headroom(count, limit, newest, nowMs int64) Headroom {
	h := Headroom{Limit: limit, Remaining: max(limit-count, 0)}
	if count > 0 {
		h.Reset = max(leaves(newest, nowMs), time.Millisecond)
	}
	return h
}

// tighter returns whichever of a and b has less room left.
func tighter(a, b Headroom) Headroom {
	if a.Limit == 0 || (b.Limit != 0 && b.Remaining < a.Remaining) {
		return b
	}
	return a
}

func untilMonthEnd(end, now time.Time) time.Duration {
	if d := end.Sub(now); d > time.Second {
		return d
	}
	return time.Second
}
