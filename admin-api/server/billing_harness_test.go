package server

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aigw/aigw/internal/billing"
	"github.com/aigw/aigw/internal/tenantdb"
)

// use is one usage row to seed.
type use struct {
	at                         time.Time
	user                       string // "" for a key without a user
	model, provider            string
	prompt, cached, completion int
	pico                       int64 // cost in picodollars
	status                     int
}

var useSeq atomic.Int64

// seedUsage writes rows into usage_logs for tenant, as the meter's COPY does.
func (e *env) seedUsage(tenantID string, rows []use) {
	e.t.Helper()
	src := make([][]any, len(rows))
	for i, r := range rows {
		var user any
		if r.user != "" {
			user = r.user
		}
		status := r.status
		if status == 0 {
			status = 200
		}
		src[i] = []any{fmt.Sprintf("req-%d", useSeq.Add(1)), r.at, tenantID, user, "/v1/chat/completions", r.model, r.model, r.provider,
			r.prompt, r.completion, r.cached, pgtype.Numeric{Int: big.NewInt(r.pico), Exp: -12, Valid: true}, status}
	}
	_, err := e.pool.CopyFrom(context.Background(), pgx.Identifier{"usage_logs"},
		[]string{"request_id", "created_at", "tenant_id", "user_id", "endpoint", "requested_model", "model", "provider",
			"prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd", "status"}, pgx.CopyFromRows(src))
	if err != nil {
		e.t.Fatal(err)
	}
}

// listPrice is what the meter records for a call of a catalog model.
func (e *env) listPrice(model string, prompt, cached, completion int) int64 {
	e.t.Helper()
	m, err := e.srv.res.catalog.Resolve(model)
	if err != nil {
		e.t.Fatal(err)
	}
	return int64(m.Cost(int64(prompt), int64(cached), int64(completion)))
}

// addUser adds a user of role to tenant without signing them in.
func (e *env) addUser(tn *tenant, name, role string) string {
	e.t.Helper()
	sc := tenantdb.New(e.store, tn.ID, tenantdb.Actor{})
	u, err := sc.CreateUser(context.Background(), tenantdb.NewUser{Email: fmt.Sprintf("u%d@%s.example", useSeq.Add(1), tn.Slug),
		DisplayName: name, Role: role, PasswordHash: fixtureHash()})
	if err != nil {
		e.t.Fatal(err)
	}
	return u.ID
}

// signInAt signs user email in as if at time at (recording their activity
// in at's month), then puts the clock back.
func (e *env) signInAt(email string, at time.Time) {
	e.t.Helper()
	e.clock.mu.Lock()
	saved := e.clock.now
	e.clock.now = at
	e.clock.mu.Unlock()
	defer func() { e.clock.mu.Lock(); e.clock.now = saved; e.clock.mu.Unlock() }()
	e.login(email, testPassword)
}

// pastMonth is the month n months before the clock's.
func (e *env) pastMonth(n int) billing.Month { return billing.MonthOf(e.clock.Now()).Add(-n) }

// day returns the time d days and h hours into month m.
func day(m billing.Month, d, h int) time.Time {
	return m.Start().AddDate(0, 0, d-1).Add(time.Duration(h) * time.Hour)
}

// getJSON GETs path as role of tn and decodes a 200.
func (e *env) getJSON(tn *tenant, role, path string, v any) {
	e.t.Helper()
	e.do("GET", path, tn.Tokens[role], nil).want(http.StatusOK).decode(v)
}
