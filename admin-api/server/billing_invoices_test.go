package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/billing"
)

func sumLines(t *testing.T, inv InvoiceView) billing.Dec {
	t.Helper()
	s := billing.Zero
	for _, l := range inv.LineItems {
		s = s.Add(billing.MustDec(l.Amount))
	}
	return s
}

func TestInvoiceHasLinesPerModelAndSeatsAndIsIssuedOncePerMonth(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	m := e.pastMonth(1)
	ann := e.addUser(a, "Ann", "user")
	e.do("PUT", "/billing/plan", a.Tokens["admin"], map[string]any{"seat_fee": "12.345"}).want(http.StatusOK)
	e.seedUsage(a.ID, []use{
		{at: day(m, 2, 0), user: ann, model: "gpt-4o", provider: "openai", prompt: 1_000_000, cached: 400_000, completion: 200_000,
			pico: e.listPrice("gpt-4o", 1_000_000, 400_000, 200_000)},
		{at: day(m, 2, 0), user: ann, model: "mock-gpt", provider: "mock", prompt: 3, completion: 7, pico: e.listPrice("mock-gpt", 3, 0, 7)},
	})
	r := e.do("POST", "/billing/invoice", a.Tokens["manager"], map[string]any{"month": m.String()}).want(http.StatusCreated)
	var inv InvoiceView
	r.decode(&inv)
	type line struct{ desc, qty, unit, price, amount string }
	var got []line
	for _, l := range inv.LineItems {
		got = append(got, line{l.Description, l.Quantity, l.Unit, l.UnitPrice, l.Amount})
	}
	want := []line{
		{"gpt-4o (openai) input tokens", "0.60", "1M tokens", "2.50", "1.50"},
		{"gpt-4o (openai) cached input tokens", "0.40", "1M tokens", "1.25", "0.50"},
		{"gpt-4o (openai) output tokens", "0.20", "1M tokens", "10.00", "2.00"},
		{"mock-gpt (mock) input tokens", "0.000003", "1M tokens", "1.00", "0.00"},
		{"mock-gpt (mock) output tokens", "0.000007", "1M tokens", "2.00", "0.00"},
		// Ann, by her requests; the fixture users signed in this month, not last month.
		{"Active users", "1.00", "user-month", "12.345", "12.34"},
		{"Rounding adjustment (lines rounded one by one; the total is rounded once)", "1.00", "adjustment", "0.01", "0.01"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("lines\n got %v\nwant %v", got, want)
	}
	if inv.Number != "INV-000001" || inv.Kind != "invoice" || inv.Status != "issued" || inv.Currency != "USD" || inv.UserID != nil ||
		inv.Period.Start != m.Start().Format("2006-01-02") || inv.Period.End != m.End().AddDate(0, 0, -1).Format("2006-01-02") {
		t.Errorf("invoice %+v", inv)
	}
	// 4.000000000 + 0.000017 + 12.345 = 16.345017 → 16.35 (lines 16.34: a rounding line of 0.01).
	if inv.Total != "16.35" || inv.Subtotal != "16.35" || sumLines(t, inv).Cmp(billing.MustDec(inv.Total)) != 0 ||
		inv.ExactTotal != "16.345017" || inv.RoundingResidue != "0.004983" || inv.LineItems[len(inv.LineItems)-1].Kind != "rounding" {
		t.Errorf("totals: subtotal %s total %s exact %s residue %s, lines %v", inv.Subtotal, inv.Total, inv.ExactTotal, inv.RoundingResidue, inv.LineItems)
	}
	// Issuing the month again answers the same invoice.
	var again InvoiceView
	e.do("POST", "/billing/invoice", a.Tokens["admin"], map[string]any{"month": m.String()}).want(http.StatusOK).decode(&again)
	if again.ID != inv.ID || again.Number != inv.Number {
		t.Errorf("second issue gave %s %s, want %s", again.ID, again.Number, inv.Number)
	}
	// Ann's own invoice is the next number.
	var annInv InvoiceView
	e.do("POST", "/billing/invoice", a.Tokens["admin"], map[string]any{"month": m.String(), "user_id": ann}).want(http.StatusCreated).decode(&annInv)
	if annInv.Number != "INV-000002" || annInv.UserID == nil || *annInv.UserID != ann || annInv.ActiveUsers != 1 {
		t.Errorf("Ann's invoice %+v", annInv)
	}
	var got1 InvoiceView
	e.getJSON(a, "manager", "/billing/invoices/"+inv.ID, &got1)
	if fmt.Sprint(got1) != fmt.Sprint(inv) {
		t.Errorf("read back differs:\n%+v\n%+v", got1, inv)
	}
	var list List[InvoiceView]
	e.getJSON(a, "admin", "/billing/invoices?month="+m.String(), &list)
	if list.Total != 2 || len(list.Data) != 2 {
		t.Errorf("list %d/%d", len(list.Data), list.Total)
	}
	if n := e.auditCount(a.ID, "billing.invoice_issue"); n != 2 {
		t.Errorf("%d billing.invoice_issue events, want 2", n)
	}
	for _, tc := range []struct {
		body   any
		status int
	}{
		{map[string]any{"month": e.pastMonth(0).String()}, http.StatusUnprocessableEntity}, // not over
		{map[string]any{"month": "2026-1"}, http.StatusBadRequest},
		{map[string]any{}, http.StatusBadRequest},
		{map[string]any{"month": m.String(), "user_id": "nope"}, http.StatusBadRequest},
		{map[string]any{"month": m.String(), "user_id": "00000000-0000-4000-8000-000000000000"}, http.StatusNotFound},
	} {
		e.do("POST", "/billing/invoice", a.Tokens["admin"], tc.body).want(tc.status)
	}
}

func TestIssuedInvoicesCannotBeChangedOrRemovedInTheDatabase(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	var inv InvoiceView
	e.do("POST", "/billing/invoice", a.Tokens["admin"], map[string]any{"month": e.pastMonth(1).String()}).want(http.StatusCreated).decode(&inv)
	ctx := context.Background()
	for _, sql := range []string{
		`UPDATE invoices SET total = total + 1, subtotal = subtotal + 1 WHERE id = $1`,
		`UPDATE invoices SET status = 'void' WHERE id = $1`,
		`DELETE FROM invoices WHERE id = $1`,
	} {
		if _, err := e.pool.Exec(ctx, sql, inv.ID); err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Errorf("%s: %v, want a refusal", sql, err)
		}
	}
	if _, err := e.pool.Exec(ctx, `TRUNCATE invoices CASCADE`); err == nil {
		t.Error("TRUNCATE of invoices succeeded")
	}
	// A number that skips one is refused by the database too.
	_, err := e.pool.Exec(ctx, `INSERT INTO invoices (tenant_id, kind, seq, number, period_start, period_end, subtotal, total,
    exact_total, rounding_residue, issued_at) VALUES ($1, 'invoice', 3, 'INV-000003', '2020-01-01', '2020-02-01', 0, 0, 0, 0, now())`, a.ID)
	if err == nil || !strings.Contains(err.Error(), "gap") {
		t.Errorf("an invoice numbered 3 after 1 was stored: %v", err)
	}
}

// TestConcurrentIssuingLeavesNoGapsAndNoDuplicates issues invoices for many
// users at once, each several times: every user gets one invoice, and the
// numbers are exactly 1..N.
func TestConcurrentIssuingLeavesNoGapsAndNoDuplicates(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	m := e.pastMonth(1)
	var users []string
	for i := 0; i < 12; i++ {
		users = append(users, e.addUser(a, fmt.Sprintf("User %d", i), "user"))
	}
	var mu sync.Mutex
	numbers := map[string]string{} // user → number
	var wg sync.WaitGroup
	for round := 0; round < 3; round++ {
		for _, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.do("POST", "/billing/invoice", a.Tokens["admin"], map[string]any{"month": m.String(), "user_id": u})
				if r.Status != http.StatusCreated && r.Status != http.StatusOK {
					t.Errorf("status %d: %s", r.Status, r.Body)
					return
				}
				var inv InvoiceView
				r.decode(&inv)
				mu.Lock()
				defer mu.Unlock()
				if prev, ok := numbers[u]; ok && prev != inv.Number {
					t.Errorf("user %s got %s and %s", u, prev, inv.Number)
				}
				numbers[u] = inv.Number
			}()
		}
	}
	wg.Wait()
	var got []string
	for _, n := range numbers {
		got = append(got, n)
	}
	sort.Strings(got)
	for i, n := range got {
		if want := fmt.Sprintf("INV-%06d", i+1); n != want {
			t.Fatalf("numbers %v: want INV-000001..INV-%06d", got, len(users))
		}
	}
	var count int
	e.pool.QueryRow(context.Background(), `SELECT count(*) FROM invoices WHERE tenant_id = $1`, a.ID).Scan(&count) //nolint:errcheck
	if count != len(users) {
		t.Errorf("%d invoices stored, want %d", count, len(users))
	}
}

func TestCreditNoteCancelsAnInvoiceOnceAndTheMonthCanBeInvoicedAgain(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	b := e.addTenant("beta")
	m := e.pastMonth(1)
	e.do("PUT", "/billing/plan", a.Tokens["admin"], map[string]any{"seat_fee": "3"}).want(http.StatusOK)
	e.seedUsage(a.ID, []use{{at: day(m, 1, 0), user: a.Users["user"].ID, model: "gpt-4o", provider: "openai", prompt: 400, pico: e.listPrice("gpt-4o", 400, 0, 0)}})
	var inv InvoiceView
	e.do("POST", "/billing/invoice", a.Tokens["admin"], map[string]any{"month": m.String()}).want(http.StatusCreated).decode(&inv)
	path := "/billing/invoices/" + inv.ID + "/credit-note"
	e.do("POST", path, a.Tokens["manager"], map[string]any{"reason": "wrong seat fee"}).want(http.StatusForbidden)
	e.do("POST", path, b.Tokens["admin"], map[string]any{"reason": "not mine"}).want(http.StatusNotFound)
	e.do("POST", path, a.Tokens["admin"], map[string]any{"reason": ""}).want(http.StatusBadRequest)
	var cn InvoiceView
	e.do("POST", path, a.Tokens["admin"], map[string]any{"reason": "wrong seat fee"}).want(http.StatusCreated).decode(&cn)
	if cn.Number != "CN-000001" || cn.Kind != "credit_note" || cn.RefersTo == nil || *cn.RefersTo != inv.ID ||
		billing.MustDec(cn.Total).Cmp(billing.MustDec(inv.Total).Neg()) != 0 || len(cn.LineItems) != len(inv.LineItems) ||
		sumLines(t, cn).Cmp(billing.MustDec(cn.Total)) != 0 {
		t.Errorf("credit note %+v of %+v", cn, inv)
	}
	e.do("POST", path, a.Tokens["admin"], map[string]any{"reason": "again"}).want(http.StatusConflict)
	e.do("POST", "/billing/invoices/"+cn.ID+"/credit-note", a.Tokens["admin"], map[string]any{"reason": "x"}).want(http.StatusUnprocessableEntity)
	var old InvoiceView
	e.getJSON(a, "admin", "/billing/invoices/"+inv.ID, &old)
	if old.CreditedBy == nil || *old.CreditedBy != cn.ID || old.Total != inv.Total {
		t.Errorf("credited invoice %+v", old)
	}
	// The new plan applies to the re-issued invoice; the old one keeps its own.
	e.do("PUT", "/billing/plan", a.Tokens["admin"], map[string]any{"seat_fee": "2"}).want(http.StatusOK)
	var re InvoiceView
	e.do("POST", "/billing/invoice", a.Tokens["admin"], map[string]any{"month": m.String()}).want(http.StatusCreated).decode(&re)
	if re.Number != "INV-000002" || re.Plan.SeatFee != "2.00" || old.Plan.SeatFee != "3.00" {
		t.Errorf("re-issued %s with seat fee %s (old %s)", re.Number, re.Plan.SeatFee, old.Plan.SeatFee)
	}
	var cns List[InvoiceView]
	e.getJSON(a, "admin", "/billing/invoices?kind=credit_note", &cns)
	if cns.Total != 1 {
		t.Errorf("%d credit notes listed", cns.Total)
	}
	if n := e.auditCount(a.ID, "billing.credit_note_issue"); n != 1 {
		t.Errorf("%d credit note events", n)
	}
	e.do("GET", "/billing/invoices/"+inv.ID, b.Tokens["admin"], nil).want(http.StatusNotFound)
	var bl List[InvoiceView]
	e.getJSON(b, "admin", "/billing/invoices", &bl)
	if bl.Total != 0 {
		t.Errorf("beta sees %d of alpha's invoices", bl.Total)
	}
}

// TestInvoiceReconcilesWithUsageLogsToTheCent seeds thousands of rows at
// awkward prices (list prices with cached tokens, costs the catalog does
// not reproduce, models it does not know, free models), a discount, a
// markup and a foreign currency, and checks the invoice against sums that
// PostgreSQL computes from usage_logs directly.
func TestInvoiceReconcilesWithUsageLogsToTheCent(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	m := e.pastMonth(1)
	e.do("PUT", "/billing/plan", a.Tokens["admin"], map[string]any{"currency": "EUR", "usd_rate": "0.9273", "seat_fee": "19.99",
		"adjustments": []map[string]string{{"model": "gpt-4o", "percent": "-7.5"}, {"provider": "anthropic", "percent": "13.3333"}}}).want(http.StatusOK)
	var users []string
	for i := 0; i < 7; i++ {
		users = append(users, e.addUser(a, fmt.Sprintf("U%d", i), "user"))
	}
	models := []struct{ id, provider string }{{"gpt-4o", "openai"}, {"gpt-5-nano", "openai"}, {"claude-sonnet-4-5", "anthropic"},
		{"gemini-2.5-flash-lite", "gemini"}, {"o4-mini", "openai"}, {"llama-3.1-8b-instruct", "vllm"}, {"retired-model", "openai"}}
	r := rand.New(rand.NewPCG(11, 12))
	var rows []use
	for i := 0; i < 6000; i++ {
		md := models[r.IntN(len(models))]
		p, c := r.IntN(20000), r.IntN(3000)
		cached := 0
		if r.IntN(3) == 0 {
			cached = r.IntN(p + 1)
		}
		var pico int64
		switch {
		case md.id == "retired-model" || r.IntN(50) == 0: // no catalog price, or billed at an earlier one
			pico = r.Int64N(90_000_000_000) + 1
		default:
			pico = e.listPrice(md.id, p, cached, c)
		}
		u := ""
		if r.IntN(10) > 0 {
			u = users[r.IntN(len(users))]
		}
		rows = append(rows, use{at: m.Start().Add(time.Duration(r.Int64N(int64(m.Days())*86400)) * time.Second), user: u, model: md.id, provider: md.provider,
			prompt: p, cached: cached, completion: c, pico: pico})
	}
	e.seedUsage(a.ID, rows)
	var inv InvoiceView
	e.do("POST", "/billing/invoice", a.Tokens["admin"], map[string]any{"month": m.String()}).want(http.StatusCreated).decode(&inv)

	total := billing.MustDec(inv.Total)
	if sumLines(t, inv).Cmp(total) != 0 || billing.MustDec(inv.Subtotal).Cmp(total) != 0 {
		t.Fatalf("lines add up to %s, total %s", sumLines(t, inv), inv.Total)
	}
	exact := billing.Zero
	for _, l := range inv.LineItems {
		exact = exact.Add(billing.MustDec(l.ExactAmount))
		if l.Kind != "rounding" && billing.MustDec(l.Quantity).Mul(billing.MustDec(l.UnitPrice)).Cmp(billing.MustDec(l.ExactAmount)) != 0 {
			t.Errorf("line %q: quantity × unit price ≠ exact amount", l.Description)
		}
	}
	// PostgreSQL's own sums, with the plan's factors, from usage_logs.
	var want, cost string
	err := e.pool.QueryRow(context.Background(), `
SELECT (sum(cost_usd * CASE WHEN model = 'gpt-4o' THEN 0.925 WHEN provider = 'anthropic' THEN 1.133333 ELSE 1 END) * 0.9273
        + 19.99 * (SELECT count(DISTINCT user_id) FROM usage_logs WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3))::text,
       sum(cost_usd)::text
FROM usage_logs WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3`, a.ID, m.Start(), m.End()).Scan(&want, &cost)
	if err != nil {
		t.Fatal(err)
	}
	w := billing.MustDec(want)
	if exact.Cmp(w) != 0 || billing.MustDec(inv.ExactTotal).Cmp(w) != 0 {
		t.Errorf("exact total %s (lines %s), PostgreSQL says %s", inv.ExactTotal, exact, want)
	}
	if total.Cmp(w.Round(2)) != 0 {
		t.Errorf("total %s, want %s rounded half to even: %s", inv.Total, want, w.Round(2))
	}
	if diff := total.Sub(w); diff.Cmp(billing.MustDec("0.005")) > 0 || diff.Cmp(billing.MustDec("-0.005")) < 0 || diff.Cmp(billing.MustDec(inv.RoundingResidue)) != 0 {
		t.Errorf("residue %s, total − exact %s", inv.RoundingResidue, diff)
	}
	if billing.MustDec(inv.TokenCostUSD).Cmp(billing.MustDec(cost)) != 0 || inv.ActiveUsers != int64(len(users)) {
		t.Errorf("token cost %s (usage_logs %s), seats %d", inv.TokenCostUSD, cost, inv.ActiveUsers)
	}
	kinds := map[string]int{}
	for _, l := range inv.LineItems {
		kinds[l.Kind]++
	}
	if kinds["input"] < 5 || kinds["cached_input"] < 4 || kinds["output"] < 4 || kinds["other_prices"] < 5 || kinds["seats"] != 1 {
		t.Errorf("line kinds %v", kinds)
	}
	t.Logf("%d rows, %d lines, total %s %s, exact %s, residue %s", len(rows), len(inv.LineItems), inv.Total, inv.Currency, inv.ExactTotal, inv.RoundingResidue)
}
