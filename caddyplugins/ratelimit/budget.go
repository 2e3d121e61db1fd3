package ratelimit

import (
	"context"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	rl "github.com/aigw/aigw/internal/ratelimit"
	"github.com/aigw/aigw/internal/store"
)

// budgetSeeder resumes budgets after a restart (or a Redis flush): the first
// time this process sees a budgeted key, user or tenant in a month, it reads
// the month's recorded spend from usage_logs in the background and raises the
// backend's count to it. Requests do not wait for it: until it lands (a few
// milliseconds) a restarted node counts from its own zero.
type budgetSeeder struct {
	store  *store.Store
	loc    *time.Location
	logger *zap.Logger
	sem    chan struct{} // bounds concurrent queries

	mu    sync.Mutex
	month string
	seen  map[string]bool
}

func newBudgetSeeder(s *store.Store, loc *time.Location, logger *zap.Logger) *budgetSeeder {
	if s == nil {
		return nil
	}
	return &budgetSeeder{store: s, loc: loc, logger: logger, sem: make(chan struct{}, 4), seen: map[string]bool{}}
}

// seed starts loading the spend of every budgeted scope of req not yet seen
// this month.
func (b *budgetSeeder) seed(ctx context.Context, backend rl.Backend, req *rl.Request) {
	if b == nil {
		return
	}
	for _, sc := range req.Scopes {
		kind, id, _ := strings.Cut(sc.Name, ":")
		if sc.Budget == 0 || kind == "model" || !b.claim(sc.Name, req.Month) {
			continue
		}
		select {
		case b.sem <- struct{}{}:
		default:
			b.release(sc.Name, req.Month) // busy: a later request retries
			continue
		}
		go b.load(context.WithoutCancel(ctx), backend, sc.Name, kind, id, req.Month, req.MonthEnd)
	}
}

// claim marks scope as seen for month, reporting whether it was not yet.
func (b *budgetSeeder) claim(scope, month string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.month != month {
		b.month, b.seen = month, map[string]bool{}
	}
	if b.seen[scope] {
		return false
	}
	b.seen[scope] = true
	return true
}

func (b *budgetSeeder) release(scope, month string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.month == month {
		delete(b.seen, scope)
	}
}

func (b *budgetSeeder) load(ctx context.Context, backend rl.Backend, scope, kind, id, month string, end time.Time) {
	defer func() { <-b.sem }()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	start := end.In(b.loc).AddDate(0, -1, 0)
	spent, err := b.store.MonthSpend(ctx, kind, id, start, end)
	if err == nil {
		err = backend.SeedBudget(ctx, scope, month, int64(spent))
	}
	if err != nil {
		b.release(scope, month) // retried by a later request
		b.logger.Warn("loading a budget's spend failed", zap.String("scope_kind", kind), zap.Error(err))
	}
}
