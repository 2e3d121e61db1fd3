package ratelimit

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/money"
	rl "github.com/aigw/aigw/internal/ratelimit"
	"github.com/aigw/aigw/internal/store"
)

// The cached scopes are the ones built afresh, and follow a key's record
// when its limits, user or tenant change.
func TestScopesCachedFollowTheRecord(t *testing.T) {
	h := newTestHandler(t, &Limits{RPM: 60}, &Limits{TPM: 1000}, &Limits{Concurrency: 5})
	gpt4o, _ := h.catalog.Resolve("gpt-4o")
	k := testKey()
	scopesOf := func(k *store.KeyRecord, est estimate) []rl.Scope {
		return h.request(&state.Request{ID: "r", Key: k}, est, time.Now()).Scopes
	}
	check := func(what string, k *store.KeyRecord, est estimate) {
		t.Helper()
		if d := cmp.Diff(h.buildScopes(k, est.model), scopesOf(k, est)); d != "" {
			t.Errorf("%s: cached scopes differ from built ones (-built +cached):\n%s", what, d)
		}
	}
	check("first", k, estimate{model: gpt4o})
	check("again", k, estimate{model: gpt4o})
	check("no model", k, estimate{})
	k.RPMLimit = 7
	check("key limit changed", k, estimate{model: gpt4o})
	k.TenantLimits = store.Limits{Budget: money.Pico(5), HasBudget: true}
	check("tenant budget changed", k, estimate{model: gpt4o})
	k.UserID = "u1"
	check("user added", k, estimate{model: gpt4o})
	k.UserLimits = store.Limits{RPM: 3}
	check("user limit set", k, estimate{model: gpt4o})
	if got := scopesOf(k, estimate{model: gpt4o}); len(got) != 4 || got[0].RPM != 7 || got[1].Name != "user:u1" || got[1].RPM != 3 ||
		got[2].Budget != 5 || got[3].Name != "model:gpt-4o" {
		t.Errorf("scopes: %+v", got)
	}
	other := &store.KeyRecord{ID: "k2", TenantID: "t2"}
	check("another key", other, estimate{model: gpt4o})
}

// The budget period is the calendar month of the configured zone, also
// across a month's end.
func TestMonthOfFollowsTheCalendar(t *testing.T) {
	h := newTestHandler(t, nil, nil, nil)
	h.loc = time.FixedZone("UTC+2", 2*3600)
	for _, tt := range []struct {
		now        time.Time
		name       string
		start, end time.Time
	}{
		{time.Date(2026, 11, 30, 21, 59, 0, 0, time.UTC), "2026-11",
			time.Date(2026, 11, 1, 0, 0, 0, 0, h.loc), time.Date(2026, 12, 1, 0, 0, 0, 0, h.loc)},
		{time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC), "2026-12",
			time.Date(2026, 12, 1, 0, 0, 0, 0, h.loc), time.Date(2027, 1, 1, 0, 0, 0, 0, h.loc)},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), "2027-01",
			time.Date(2027, 1, 1, 0, 0, 0, 0, h.loc), time.Date(2027, 2, 1, 0, 0, 0, 0, h.loc)},
		{time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC), "2026-11", // the clock went back
			time.Date(2026, 11, 1, 0, 0, 0, 0, h.loc), time.Date(2026, 12, 1, 0, 0, 0, 0, h.loc)},
	} {
		for range 2 { // computed, then from the cache
			p := h.monthOf(tt.now)
			if p.name != tt.name || !p.start.Equal(tt.start) || !p.end.Equal(tt.end) {
				t.Errorf("monthOf(%v) = %s [%v, %v), want %s [%v, %v)", tt.now, p.name, p.start, p.end, tt.name, tt.start, tt.end)
			}
		}
	}
}
