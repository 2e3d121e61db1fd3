// Package ratelimit enforces requests per minute, tokens per minute,
// concurrent requests and monthly budgets over a set of scopes (an API key, its
// user, its tenant, the model), atomically: a request is admitted only if every
// scope has room, and then counted in all of them at once. Token and budget
// reservations are estimates made before the call; Settle corrects them with
// the real usage afterwards.
//
// Minute limits use a sliding window counter: the count of the current
// one-minute window plus the previous window's count weighted by the part of
// it still inside the last minute. It needs two counters per scope, is exact
// for a burst inside one window, and never admits more than the limit over any
// minute by more than the previous window's skew (in practice a few percent).
//
// Two backends implement it: Memory (one node) and Redis (many nodes sharing
// one Redis, one round trip per reservation).
package ratelimit

import (
	"context"
	"time"
)

// Window is the length of the rate windows.
const Window = time.Minute

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
	// Scopes are checked and counted together.
	Scopes []Scope
	// Tokens is the estimated prompt plus completion tokens.
	Tokens int64
	// Cost is the estimated cost in picodollars.
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
	Reset     time.Duration // until the window frees enough for one more
}

// Decision is the answer to a Request.
type Decision struct {
	Allowed bool
	// Reason and Scope say which limit refused (empty when allowed).
	Reason string
	Scope  string
	// RetryAfter is when a retry may succeed (refusals only).
	RetryAfter time.Duration
	// Requests and Tokens are the tightest headroom, after this request.
	Requests, Tokens Headroom
	// Slot identifies the reservation, to settle it.
	Slot Slot
}

// Slot is what Settle needs of a reservation.
type Slot struct {
	ID     string
	Scopes []Scope
	Window int64 // index of the minute window the tokens were counted in
	Month  string
	Tokens int64
	Cost   int64
}

// Backend admits and settles requests.
type Backend interface {
	// Reserve checks every scope and, if all have room, counts the request in
	// all of them and takes a concurrency slot.
	Reserve(ctx context.Context, req *Request) (Decision, error)
	// Settle replaces the estimate of a reservation with the real tokens and
	// cost and frees its concurrency slot.
	Settle(ctx context.Context, s Slot, tokens, cost int64) error
	// SeedBudget raises a scope's spend in month to at least spent (what the
	// usage records say), so a budget survives restarts; it never lowers it.
	SeedBudget(ctx context.Context, scope, month string, spent int64) error
}

// windowIndex returns the window of t and how far into it t is (0..1).
func windowIndex(t time.Time) (int64, float64) {
	ms := t.UnixMilli()
	w := Window.Milliseconds()
	return ms / w, float64(ms%w) / float64(w)
}

// slidingCount is the sliding-window estimate of the last minute's count.
func slidingCount(prev, cur int64, elapsed float64) float64 {
	return float64(prev)*(1-elapsed) + float64(cur)
}

// retryAfter estimates when a window limited to limit, holding prev and cur at
// elapsed, has room for need more.
func retryAfter(prev, cur, need, limit int64, elapsed float64) time.Duration {
	d := rawRetryAfter(prev, cur, need, limit, elapsed)
	// Round up to whole milliseconds: float error must not shorten the wait.
	return (d + time.Millisecond - 1 - time.Microsecond).Truncate(time.Millisecond)
}

func rawRetryAfter(prev, cur, need, limit int64, elapsed float64) time.Duration {
	if need > limit {
		return Window // can never fit; tell the client to back off a full window
	}
	if cur+need <= limit && prev > 0 {
		// Room comes as the previous window slides out.
		f := 1 - float64(limit-cur-need)/float64(prev)
		if f > elapsed {
			return time.Duration((f - elapsed) * float64(Window))
		}
		return time.Millisecond
	}
	// Next window: the current count becomes the previous one.
	rest := time.Duration((1 - elapsed) * float64(Window))
	if cur > 0 && cur+need > limit {
		f := 1 - float64(limit-need)/float64(cur)
		if f > 0 {
			rest += time.Duration(f * float64(Window))
		}
	}
	return rest
}

// headroom builds the header view of one limit.
func headroom(prev, cur, limit int64, elapsed float64) Headroom {
	used := int64(slidingCount(prev, cur, elapsed) + 0.999999)
	rem := limit - used
	if rem < 0 {
		rem = 0
	}
	return Headroom{Limit: limit, Remaining: rem, Reset: retryAfter(prev, cur, 1, limit, elapsed)}
}

// tighter returns whichever of a and b has less room left.
func tighter(a, b Headroom) Headroom {
	if a.Limit == 0 || (b.Limit != 0 && b.Remaining < a.Remaining) {
		return b
	}
	return a
}
