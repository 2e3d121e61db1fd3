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
	win             int64
	reqPrev, reqCur int64
	tokPrev, tokCur int64
	inflight        int64
	month           string
	spent           int64
}

// NewMemory returns an empty in-process backend. now is the clock (time.Now
// outside tests).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{scopes: map[string]*memScope{}, now: now}
}

func (s *memScope) roll(win int64, month string) {
	switch {
	case s.win == win:
	case s.win == win-1:
		s.reqPrev, s.reqCur, s.tokPrev, s.tokCur = s.reqCur, 0, s.tokCur, 0
	default:
		s.reqPrev, s.reqCur, s.tokPrev, s.tokCur = 0, 0, 0, 0
	}
	s.win = win
	if month != "" && s.month != month {
		s.month, s.spent = month, 0
	}
}

// Reserve implements Backend.
func (m *Memory) Reserve(_ context.Context, req *Request) (Decision, error) {
	now := m.now()
	win, elapsed := windowIndex(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.maybeSweep(win, req.Month)
	states := make([]*memScope, len(req.Scopes))
	d := Decision{Allowed: true}
	for i, sc := range req.Scopes {
		st := m.scopes[sc.Name]
		if st == nil {
			st = &memScope{win: win, month: req.Month}
			m.scopes[sc.Name] = st
		}
		st.roll(win, req.Month)
		states[i] = st
		if d.Allowed {
			if reason, retry := memCheck(st, sc.Limits, req, elapsed, now); reason != "" {
				d = Decision{Reason: reason, Scope: sc.Name, RetryAfter: retry}
			}
		}
	}
	for i, sc := range req.Scopes {
		st := states[i]
		if d.Allowed {
			st.reqCur++
			st.tokCur += req.Tokens
			st.inflight++
			st.spent += req.Cost
		}
		if sc.RPM > 0 {
			d.Requests = tighter(d.Requests, headroom(st.reqPrev, st.reqCur, sc.RPM, elapsed))
		}
		if sc.TPM > 0 {
			d.Tokens = tighter(d.Tokens, headroom(st.tokPrev, st.tokCur, sc.TPM, elapsed))
		}
	}
	if d.Allowed {
		d.Slot = Slot{ID: req.ID, Scopes: req.Scopes, Window: win, Month: req.Month, Tokens: req.Tokens, Cost: req.Cost}
	}
	return d, nil
}

// memCheck returns why st cannot take req, or "".
func memCheck(st *memScope, l Limits, req *Request, elapsed float64, now time.Time) (string, time.Duration) {
	if l.RPM > 0 && slidingCount(st.reqPrev, st.reqCur, elapsed)+1 > float64(l.RPM) {
		return ReasonRequests, retryAfter(st.reqPrev, st.reqCur, 1, l.RPM, elapsed)
	}
	if l.TPM > 0 && slidingCount(st.tokPrev, st.tokCur, elapsed)+float64(req.Tokens) > float64(l.TPM) {
		return ReasonTokens, retryAfter(st.tokPrev, st.tokCur, req.Tokens, l.TPM, elapsed)
	}
	if l.Concurrency > 0 && st.inflight+1 > l.Concurrency {
		return ReasonConcurrency, time.Second
	}
	if l.Budget > 0 && st.spent+req.Cost > l.Budget {
		return ReasonBudget, untilMonthEnd(req.MonthEnd, now)
	}
	return "", 0
}

func untilMonthEnd(end, now time.Time) time.Duration {
	if d := end.Sub(now); d > time.Second {
		return d
	}
	return time.Second
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
		switch s.Window {
		case st.win:
			st.tokCur = max(st.tokCur+dTok, 0)
		case st.win - 1:
			st.tokPrev = max(st.tokPrev+dTok, 0)
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
func (m *Memory) maybeSweep(win int64, month string) {
	m.ops++
	if m.ops < 4096 {
		return
	}
	m.ops = 0
	for name, st := range m.scopes {
		if st.win < win-1 && st.inflight == 0 && (st.spent == 0 || st.month != month) {
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
	win, _ := windowIndex(m.now())
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.scopes[scope]
	if st == nil {
		st = &memScope{win: win, month: month}
		m.scopes[scope] = st
	}
	if st.month != month {
		if st.month > month {
			return nil // a seed for a month already over
		}
		st.roll(win, month)
	}
	st.spent = max(st.spent, spent)
	return nil
}
