package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/billing"
)

func TestForecastProjectsTheMonthFromItsHistory(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	now := e.clock.Now()
	m := billing.MonthOf(now)
	today := now.Truncate(24 * time.Hour)
	// Seven weeks of $1 a weekday and $0.20 a weekend day, up to now.
	var rows []use
	for d := today.AddDate(0, 0, -49); !d.After(today); d = d.AddDate(0, 0, 1) {
		pico := int64(1_000_000_000_000)
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			pico = 200_000_000_000
		}
		at := d
		if d.Equal(today) {
			at = now.Add(-time.Second) // today's usage so far
		}
		rows = append(rows, use{at: at, model: "retired-model", provider: "x", pico: pico})
	}
	e.seedUsage(a.ID, rows)
	var f ForecastView
	e.getJSON(a, "manager", "/billing/forecast", &f)
	if f.Month != m.String() || f.Method != billing.MethodWeekdayLinear || f.HistoryDays != 49 || f.ShortHistory || f.Interval != "0.8" {
		t.Fatalf("forecast %+v", f)
	}
	// Each day at its weekday's rate; today's whole rate is already spent,
	// and the rest of today is projected at the same rate.
	rate := func(d time.Time) billing.Dec {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			return billing.MustDec("0.2")
		}
		return billing.DecInt(1)
	}
	want := billing.Zero
	for d := m.Start(); d.Before(m.End()); d = d.AddDate(0, 0, 1) {
		want = want.Add(rate(d))
	}
	left := billing.DecFrac(int64(today.Add(24*time.Hour).Sub(now)/time.Second), 86400)
	want = want.Add(rate(today).Mul(left))
	got := billing.MustDec(f.ProjectedTotal)
	if diff := got.Sub(want); diff.Cmp(billing.MustDec("0.05")) > 0 || diff.Cmp(billing.MustDec("-0.05")) < 0 {
		t.Errorf("projected %s, want about %s", f.ProjectedTotal, want.Fixed(2))
	}
	if billing.MustDec(f.Lower).Cmp(billing.MustDec(f.SpendToDate)) < 0 || billing.MustDec(f.Upper).Cmp(got) < 0 {
		t.Errorf("interval [%s, %s] around %s, spent %s", f.Lower, f.Upper, f.ProjectedTotal, f.SpendToDate)
	}
	if f.Backtest == nil || f.Backtest.MAPEPercent > 1 || f.Backtest.Origins == 0 {
		t.Errorf("backtest %+v", f.Backtest)
	}
	if len(f.Daily) != m.Days() || f.Daily[0].Actual == nil || f.Daily[len(f.Daily)-1].Actual != nil && m.End().After(now.Add(24*time.Hour)) {
		t.Errorf("daily series of %d days", len(f.Daily))
	}

	// A new tenant with three days of history: said, and a wider interval.
	b := e.addTenant("beta")
	e.seedUsage(b.ID, []use{
		{at: today.AddDate(0, 0, -3), model: "m", provider: "x", pico: 1_000_000_000_000},
		{at: today.AddDate(0, 0, -2), model: "m", provider: "x", pico: 1_000_000_000_000},
		{at: today.AddDate(0, 0, -1), model: "m", provider: "x", pico: 1_000_000_000_000},
	})
	var s ForecastView
	e.getJSON(b, "admin", "/billing/forecast?month="+m.String(), &s)
	if !s.ShortHistory || s.Method != billing.MethodMean || s.Backtest != nil || !strings.Contains(s.Note, "under 7 days") {
		t.Errorf("short history forecast %+v", s)
	}
	e.do("GET", "/billing/forecast?month="+m.Add(1).String(), a.Tokens["admin"], nil).want(http.StatusUnprocessableEntity)
	var past ForecastView
	e.getJSON(a, "admin", "/billing/forecast?month="+m.Add(-1).String(), &past)
	if past.ProjectedTotal != past.SpendToDate || past.Lower != past.SpendToDate || past.Note == "" {
		t.Errorf("a finished month: %+v", past)
	}
}
