package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory is the in-process backend: exact on one node, lost on restart.
type Memory struct {
	mu     sync.Mutex
	scopes map[string]*memScope
	now    func() time.Time
	ops    int
}

type memScope struct {
	win      window
	inflight int64
	month    string
	spent    int64
}

// NewMemory returns an empty in-process backend. now is the clock (time.Now
// outside tests).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{scopes: map[string]*memScope{}, now: now}
}

func (s *memScope) roll(k int64, month string) {
	s.win.roll(k)
	if month != "" && s.month != month {
		s.month, s.spent = month, 0
	}
}

// Reserve implements Backend.
func (m *Memory) Reserve(_ context.Context, req *Request) (Decision, error) {
	now := m.now()
	nowMs := now.UnixMilli()
	k := bucketOf(nowMs)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.maybeSweep(k, req.Month)
	var stack [4]*memScope
	states := stack[:0]
	d := Decision{Allowed: true}
	for _, sc := range req.Scopes {
		st := m.scopes[sc.Name]
		if st == nil {
			st = &memScope{month: req.Month}
			m.scopes[sc.Name] = st
		}
		st.roll(k, req.Month)
		states = append(states, st)
		if d.Allowed {
			if reason, retry := memCheck(st, sc.Limits, req, nowMs, now); reason != "" {
				d = Decision{Reason: reason, Scope: sc.Name, RetryAfter: retry, TooLarge: reason == ReasonTokens && req.Tokens > sc.TPM}
			}
		}
	}
	bucket := k
	for i, sc := range req.Scopes {
		st := states[i]
		if d.Allowed {
			if sc.RPM > 0 || sc.TPM > 0 {
				bucket = st.win.add(k, counts{1, req.Tokens})
			}
			st.inflight++
			st.spent += req.Cost
		}
		if sc.RPM > 0 {
			d.Requests = tighter(d.Requests, headroom(st.win.sum[kindRequests], sc.RPM, st.win.newest(), nowMs))
		}
		if sc.TPM > 0 {
			d.Tokens = tighter(d.Tokens, headroom(st.win.sum[kindTokens], sc.TPM, st.win.newest(), nowMs))
		}
	}
	if d.Allowed {
		d.Slot = Slot{ID: req.ID, Scopes: req.Scopes, Bucket: bucket, Month: req.Month, Tokens: req.Tokens, Cost: req.Cost}
	}
	return d, nil
}

// memCheck returns why st cannot take req, or "".
func memCheck(st *memScope, l Limits, req *Request, nowMs int64, now time.Time) (string, time.Duration) {
	w := &st.win
	if l.RPM > 0 && w.sum[kindRequests]+1 > l.RPM {
		return ReasonRequests, w.retryAfter(kindRequests, 1, l.RPM, nowMs)
	}
	if l.TPM > 0 && w.sum[kindTokens]+req.Tokens > l.TPM {
		return ReasonTokens, w.retryAfter(kindTokens, req.Tokens, l.TPM, nowMs)
	}
	if l.Concurrency > 0 && st.inflight+1 > l.Concurrency {
		return ReasonConcurrency, time.Second
	}
	if l.Budget > 0 && st.spent+req.Cost > l.Budget {
		return ReasonBudget, untilMonthEnd(req.MonthEnd, now)
	}
	return "", 0
}

// Settle implements Backend.
func (m *Memory) Settle(_ context.Context, s Slot, tokens, cost int64) error {
	dTok, dCost := tokens-s.Tokens, cost-s.Cost
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sc := range s.Scopes {
		st := m.scopes[sc.Name]
		if st == nil {
			continue
		}
		if dTok != 0 {
			st.win.adjust(s.Bucket, dTok)
		}
		if st.month == s.Month {
			st.spent = max(st.spent+dCost, 0)
		}
		if st.inflight > 0 {
			st.inflight--
		}
	}
	return nil
}

// maybeSweep drops, now and then, scopes with nothing left to remember, so
// memory follows the active scopes and not every scope ever seen.
func (m *Memory) maybeSweep(k int64, month string) {
	m.ops++
	if m.ops < 4096 {
		return
	}
	m.ops = 0
	for name, st := range m.scopes {
		if st.win.newest() < k-Buckets && st.inflight == 0 && (st.spent == 0 || st.month != month) {
			delete(m.scopes, name)
		}
	}
}

// Len returns the number of scopes held.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.scopes)
}

// SeedBudget implements Backend.
func (m *Memory) SeedBudget(_ context.Context, scope, month string, spent int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.scopes[scope]
	if st == nil {
		st = &memScope{month: month}
		m.scopes[scope] = st
	}
	if st.month != month {
		if st.month > month {
			return nil // a seed for a month already over
		}
		st.month, st.spent = month, 0
	}
	st.spent = max(st.spent, spent)
	return nil
}
