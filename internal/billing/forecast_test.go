package billing

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// synthetic histories: daily spend of day t (0 is the first day of the
// history) and its weekday.
var histories = []struct {
	name string
	gen  func(t int, wd time.Weekday, r *rand.Rand) float64
}{
	{"flat", func(t int, _ time.Weekday, r *rand.Rand) float64 { return 100 * noise(r) }},
	{"growing", func(t int, _ time.Weekday, r *rand.Rand) float64 { return 100 * (1 + 0.01*float64(t)) * noise(r) }},
	{"weekly", func(t int, wd time.Weekday, r *rand.Rand) float64 {
		if wd == time.Saturday || wd == time.Sunday {
			return 30 * noise(r)
		}
		return 130 * noise(r)
	}},
	{"spike", func(t int, _ time.Weekday, r *rand.Rand) float64 {
		if t == 66 { // a runaway batch job on the month's 4th day, before every forecast below
			return 1500
		}
		return 100 * noise(r)
	}},
}

func noise(r *rand.Rand) float64 { return math.Max(0, 1+0.08*r.NormFloat64()) }

type backtestResult struct {
	mape, coverage float64
}

// monthEndBacktest forecasts November 2026 from days 5, 10, 15 and 20,
// with 63 days of history before the month, for 25 random draws, and
// returns the MAPE of the month-end totals and the share of actual totals
// inside the 80 % interval.
func monthEndBacktest(gen func(int, time.Weekday, *rand.Rand) float64) backtestResult {
	m := Month{2026, time.November}
	start := m.Start().AddDate(0, 0, -63)
	var apeSum float64
	var inside, n int
	for seed := uint64(1); seed <= 25; seed++ {
		r := rand.New(rand.NewPCG(seed, 42))
		var vals []float64
		for d := start; d.Before(m.End()); d = d.Add(day) {
			vals = append(vals, gen(len(vals), d.Weekday(), r))
		}
		actual := sum(vals[63:])
		for _, cut := range []int{5, 10, 15, 20} {
			now := m.Start().AddDate(0, 0, cut-1).Add(9 * time.Hour) // 09:00 on day cut
			upto := 63 + cut - 1                                     // complete days before now's day
			today := vals[upto] * 9 / 24
			spent := sum(vals[63:upto]) + today
			p := ProjectMonth(Series{Start: start, Values: vals[:upto]}, m, now, spent, today)
			apeSum += math.Abs(p.Expected-actual) / actual
			if actual >= p.Lower && actual <= p.Upper {
				inside++
			}
			n++
		}
	}
	return backtestResult{100 * apeSum / float64(n), float64(inside) / float64(n)}
}

func TestForecastBacktestOnSyntheticHistories(t *testing.T) {
	for _, h := range histories {
		res := monthEndBacktest(h.gen)
		t.Logf("%-8s month-end MAPE %.2f %%, 80%% interval covers %.0f %%", h.name, res.mape, 100*res.coverage)
		if res.mape > 4 {
			t.Errorf("%s: month-end MAPE %.2f %%, want under 4 %%", h.name, res.mape)
		}
		if res.coverage < 0.65 || res.coverage > 0.97 {
			t.Errorf("%s: the 80 %% interval covered %.0f %% of outcomes", h.name, 100*res.coverage)
		}
	}
}

func TestWeekdayModelBeatsAFlatMeanOnAWeeklyPattern(t *testing.T) {
	start := time.Date(2026, 9, 7, 0, 0, 0, 0, time.UTC) // a Monday
	var vals []float64
	for i := 0; i < 42; i++ {
		v := 130.0
		if wd := start.AddDate(0, 0, i).Weekday(); wd == time.Saturday || wd == time.Sunday {
			v = 30
		}
		vals = append(vals, v)
	}
	m := Fit(Series{Start: start, Values: vals})
	if m.Method != MethodWeekdayLinear {
		t.Fatalf("method %s", m.Method)
	}
	sat := start.AddDate(0, 0, 47)
	if got := m.Predict(sat); math.Abs(got-30) > 1e-6 {
		t.Errorf("a Saturday is predicted %.4f, want 30", got)
	}
	if bt := RollingBacktest(Series{Start: start, Values: vals}, 7, 14); bt == nil || bt.MAPE > 1e-6 {
		t.Errorf("backtest of an exact weekly pattern: %+v", bt)
	}
}

func TestShortHistoryIsSaidAndWidensTheInterval(t *testing.T) {
	m := Month{2026, time.November}
	mk := func(days int) Projection {
		start := m.Start().AddDate(0, 0, -days)
		vals := make([]float64, days)
		for i := range vals {
			vals[i] = 100 + float64(i%3) // a little spread
		}
		return ProjectMonth(Series{Start: start, Values: vals}, m, m.Start().Add(time.Hour), 1, 1)
	}
	short, long := mk(4), mk(30)
	if !short.ShortHistory || short.Model.Method != MethodMean || short.Backtest != nil {
		t.Errorf("4 days: short %v method %s backtest %v", short.ShortHistory, short.Model.Method, short.Backtest)
	}
	if long.ShortHistory {
		t.Error("30 days called short")
	}
	if ws, wl := short.Upper-short.Lower, long.Upper-long.Lower; ws < 2*wl {
		t.Errorf("interval width with 4 days %.1f, with 30 days %.1f: want the short one at least twice as wide", ws, wl)
	}
	if len(short.Daily) != 30 || short.Daily[0].Actual == nil || short.Daily[1].Actual != nil {
		t.Errorf("daily series: %d points", len(short.Daily))
	}
}

func TestNoHistoryProjectsNothingWithoutFailing(t *testing.T) {
	m := Month{2026, time.November}
	p := ProjectMonth(Series{Start: m.Start()}, m, m.Start().Add(time.Hour), 0, 0)
	if p.Expected != 0 || p.Lower != 0 || math.IsNaN(p.Upper) || !p.ShortHistory {
		t.Errorf("%+v", p)
	}
}

func TestAFinishedMonthIsItsActualSpend(t *testing.T) {
	m := Month{2026, time.October}
	vals := make([]float64, 31)
	for i := range vals {
		vals[i] = 10
	}
	p := ProjectMonth(Series{Start: m.Start(), Values: vals}, m, m.End().Add(time.Hour), 310, 0)
	if p.Expected != 310 || p.Lower != 310 || p.Upper != 310 {
		t.Errorf("%v %v %v", p.Expected, p.Lower, p.Upper)
	}
}
