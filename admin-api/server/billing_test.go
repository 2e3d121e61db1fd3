package server

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBillingPlanDefaultsUntilAnAdminSetsIt(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	var p BillingPlan
	e.getJSON(a, "manager", "/billing/plan", &p)
	if !p.Default || p.Currency != "USD" || p.SeatFee != "0.00" || p.USDRate != "1.00" || len(p.Adjustments) != 0 {
		t.Fatalf("default plan %+v", p)
	}
	body := map[string]any{"currency": "EUR", "usd_rate": "0.9215", "seat_fee": "19.99",
		"adjustments": []map[string]string{{"model": "gpt-4o", "percent": "-10"}, {"provider": "anthropic", "percent": "12.5"}}}
	e.do("PUT", "/billing/plan", a.Tokens["manager"], body).want(http.StatusForbidden)
	e.do("PUT", "/billing/plan", a.Tokens["admin"], body).want(http.StatusOK).decode(&p)
	want := []PlanAdjustment{{Model: "gpt-4o", Percent: "-10.00"}, {Provider: "anthropic", Percent: "12.50"}}
	if p.Default || p.Currency != "EUR" || p.USDRate != "0.9215" || p.SeatFee != "19.99" || p.UpdatedAt == nil || !cmp.Equal(p.Adjustments, want) {
		t.Fatalf("stored plan %+v", p)
	}
	var again BillingPlan
	e.getJSON(a, "admin", "/billing/plan", &again)
	if !cmp.Equal(p, again) {
		t.Errorf("read back %s", cmp.Diff(p, again))
	}
	if n := e.auditCount(a.ID, "billing.plan_update"); n != 1 {
		t.Errorf("%d billing.plan_update events", n)
	}
	for _, tc := range []struct {
		body  any
		param string
	}{
		{map[string]any{"seat_fee": 19.99}, "seat_fee"},
		{map[string]any{"seat_fee": "1e3"}, "seat_fee"},
		{map[string]any{"seat_fee": "1", "currency": "EUR"}, "usd_rate"},
		{map[string]any{"seat_fee": "1", "adjustments": []map[string]string{{"percent": "5"}}}, "adjustments[0]"},
		{map[string]any{"seat_fee": "1", "tax": "5"}, "tax"},
	} {
		r := e.do("PUT", "/billing/plan", a.Tokens["admin"], tc.body).want(http.StatusBadRequest)
		if b := r.err(); b.Error.Param == nil || *b.Error.Param != tc.param {
			t.Errorf("%v: param %v, want %s (%s)", tc.body, b.Error.Param, tc.param, r.Body)
		}
	}
}

// TestActiveUserIsOneWithARequestOrASignInThatMonth: a request with the
// user's key, or a sign-in to the admin API, in the UTC month; nothing
// else (a request the month before, a user who did nothing).
func TestActiveUserIsOneWithARequestOrASignInThatMonth(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	m := e.pastMonth(2)
	caller := e.addUser(a, "Caller", "user")
	refused := e.addUser(a, "Refused", "user")
	signer := e.addUser(a, "Signer", "viewer")
	before := e.addUser(a, "Before", "user")
	e.addUser(a, "Idle", "user")
	e.seedUsage(a.ID, []use{
		{at: day(m, 1, 0), user: caller, model: "gpt-4o", provider: "openai", prompt: 10, completion: 5, pico: e.listPrice("gpt-4o", 10, 0, 5)},
		{at: day(m, 20, 3), user: refused, model: "gpt-4o", provider: "openai", status: 429},                   // refused, still a request with their key
		{at: m.Start().Add(-1), user: before, model: "gpt-4o", provider: "openai", prompt: 1, pico: 2_500_000}, // last second of the month before
		{at: day(m, 3, 0), model: "gpt-4o", provider: "openai", prompt: 1, pico: 2_500_000},                    // a key of no user
	})
	var signerEmail string
	e.pool.QueryRow(t.Context(), `SELECT email FROM users WHERE id = $1`, signer).Scan(&signerEmail) //nolint:errcheck
	e.signInAt(signerEmail, day(m, 28, 23))
	var s BillingSummary
	e.getJSON(a, "admin", "/billing/summary?month="+m.String(), &s)
	if s.ActiveUsers != 3 {
		t.Errorf("active users %d, want 3 (caller, refused, signer)", s.ActiveUsers)
	}
	if s.Compare.LastMonth.ActiveUsers != 1 {
		t.Errorf("last month's active users %d, want 1 (before)", s.Compare.LastMonth.ActiveUsers)
	}
	for id, want := range map[string]bool{caller: true, refused: true, signer: true, before: false} {
		var u UserBilling
		e.getJSON(a, "manager", "/billing/user/"+id+"?month="+m.String(), &u)
		if u.Active != want {
			t.Errorf("user %s active %v, want %v", id, u.Active, want)
		}
	}
	// The fixture users signed in this month (the clock's): all four are active now.
	e.getJSON(a, "admin", "/billing/summary", &s)
	if s.ActiveUsers != 4 || s.Month != billingMonthNow(e) {
		t.Errorf("this month: %d active users, month %s", s.ActiveUsers, s.Month)
	}
}

func billingMonthNow(e *env) string { return e.pastMonth(0).String() }

func TestSummaryHasCostByModelAndProviderChargesAndComparisons(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	b := e.addTenant("beta")
	m := e.pastMonth(1)
	u := e.addUser(a, "Ann", "user")
	e.do("PUT", "/billing/plan", a.Tokens["admin"], map[string]any{"seat_fee": "10",
		"adjustments": []map[string]string{{"model": "gpt-4o", "percent": "-10"}, {"provider": "anthropic", "percent": "20"}}}).want(http.StatusOK)
	gpt := e.listPrice("gpt-4o", 1000, 200, 500)            // 0.002 + 0.00025 + 0.005 = 0.00725
	claude := e.listPrice("claude-haiku-4-5", 2000, 0, 100) // 0.002 + 0.0005 = 0.0025
	e.seedUsage(a.ID, []use{
		{at: day(m, 2, 1), user: u, model: "gpt-4o", provider: "openai", prompt: 1000, cached: 200, completion: 500, pico: gpt},
		{at: day(m, 9, 1), user: u, model: "gpt-4o", provider: "openai", prompt: 1000, cached: 200, completion: 500, pico: gpt},
		{at: day(m, 9, 2), user: u, model: "claude-haiku-4-5", provider: "anthropic", prompt: 2000, completion: 100, pico: claude},
		{at: day(m.Add(-1), 5, 0), user: u, model: "gpt-4o", provider: "openai", prompt: 1, pico: 2_500_000},
		{at: day(m.Add(-12), 5, 0), model: "gpt-4o", provider: "openai", prompt: 4, pico: 10_000_000},
	})
	e.seedUsage(b.ID, []use{{at: day(m, 3, 0), model: "gpt-4o", provider: "openai", prompt: 1_000_000, pico: 2_500_000_000_000}})
	var s BillingSummary
	e.getJSON(a, "manager", "/billing/summary?month="+m.String(), &s)
	want := BillingSummary{
		MonthTotals: MonthTotals{Month: m.String(), Currency: "USD", ActiveUsers: 1, Requests: 3, SeatFees: "10.00",
			TokenCostUSD: "0.017", TokenCharges: "0.01605", Total: "10.01605"},
		SeatFee: "10.00",
		ByModel: []ModelCost{
			{Model: "claude-haiku-4-5", Provider: "anthropic", Requests: 1, PromptTokens: 2000, CompletionTokens: 100, CostUSD: "0.0025", Charge: "0.003"},
			{Model: "gpt-4o", Provider: "openai", Requests: 2, PromptTokens: 2000, CachedTokens: 400, CompletionTokens: 1000, CostUSD: "0.0145", Charge: "0.01305"},
		},
		ByProvider: []ProviderCost{
			{Provider: "anthropic", Requests: 1, PromptTokens: 2000, CompletionTokens: 100, CostUSD: "0.0025", Charge: "0.003"},
			{Provider: "openai", Requests: 2, PromptTokens: 2000, CompletionTokens: 1000, CostUSD: "0.0145", Charge: "0.01305"},
		},
		Compare: SummaryCompared{
			LastMonth: MonthTotals{Month: m.Add(-1).String(), Currency: "USD", ActiveUsers: 1, Requests: 1, SeatFees: "10.00",
				TokenCostUSD: "0.0000025", TokenCharges: "0.00000225", Total: "10.00000225"},
			LastYear: MonthTotals{Month: m.Add(-12).String(), Currency: "USD", ActiveUsers: 0, Requests: 1, SeatFees: "0.00",
				TokenCostUSD: "0.00001", TokenCharges: "0.000009", Total: "0.000009"},
		},
	}
	if d := cmp.Diff(want, s); d != "" {
		t.Errorf("summary (-want +got):\n%s", d)
	}
}

func TestUserBillingByModelAndDayAndOnlyTheTenantsUsers(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	b := e.addTenant("beta")
	m := e.pastMonth(1)
	ann := e.addUser(a, "Ann", "user")
	bob := e.addUser(a, "Bob", "user")
	p := e.listPrice("gpt-4o-mini", 100, 0, 50)
	e.seedUsage(a.ID, []use{
		{at: day(m, 1, 1), user: ann, model: "gpt-4o-mini", provider: "openai", prompt: 100, completion: 50, pico: p},
		{at: day(m, 1, 23), user: ann, model: "gpt-4o-mini", provider: "openai", prompt: 100, completion: 50, pico: p},
		{at: day(m, 4, 0), user: ann, model: "gpt-4o-mini", provider: "openai", prompt: 100, completion: 50, pico: p},
		{at: day(m, 4, 0), user: bob, model: "gpt-4o-mini", provider: "openai", prompt: 100, completion: 50, pico: p},
	})
	var u UserBilling
	e.getJSON(a, "admin", "/billing/user/"+ann+"?month="+m.String(), &u)
	wantDays := []DayCost{
		{Date: day(m, 1, 0).Format("2006-01-02"), Requests: 2, PromptTokens: 200, CompletionTokens: 100, CostUSD: "0.00009"},
		{Date: day(m, 4, 0).Format("2006-01-02"), Requests: 1, PromptTokens: 100, CompletionTokens: 50, CostUSD: "0.000045"},
	}
	if u.Requests != 3 || u.TokenCostUSD != "0.000135" || !u.Active || u.User.Name != "Ann" || !cmp.Equal(u.ByDay, wantDays) || len(u.ByModel) != 1 {
		t.Errorf("user billing %+v", u)
	}
	// Another tenant's user is not found, nor is a user id that does not exist.
	e.do("GET", "/billing/user/"+ann+"?month="+m.String(), b.Tokens["admin"], nil).want(http.StatusNotFound)
	e.do("GET", "/billing/user/00000000-0000-4000-8000-000000000000", a.Tokens["admin"], nil).want(http.StatusNotFound)
	e.do("GET", "/billing/user/"+ann+"?month=2026-13", a.Tokens["admin"], nil).want(http.StatusBadRequest)
	e.do("GET", "/billing/user/"+ann+"?month=26-01", a.Tokens["admin"], nil).want(http.StatusBadRequest)
}
