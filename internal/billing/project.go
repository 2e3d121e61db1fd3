package billing

import (
	"math"
	"time"
)

// Projection is a month's forecast. Spend figures are in the unit of the
// series (the admin API uses US dollars of recorded cost); they are
// estimates, so floats are fine here, unlike in invoices.
type Projection struct {
	// SpendToDate is what the month has cost so far.
	SpendToDate float64
	// Expected is the projected month-end total; Lower and Upper bound its
	// 80 % interval.
	Expected, Lower, Upper float64
	// Daily has one point per day of the month.
	Daily []DayPoint
	// Model is the fitted model (Method, Days of history).
	Model Model
	// ShortHistory is true under 7 days of history: the projection is the
	// mean daily spend and the interval is doubled.
	ShortHistory bool
	// Backtest is the model's error on the tenant's own recent history, or
	// nil when there is too little of it (under 21 days).
	Backtest *Backtest
}

// DayPoint is one day of a projection.
type DayPoint struct {
	// Day is the UTC midnight of the day.
	Day time.Time
	// Actual is the day's spend so far (nil for days still to come).
	Actual *float64
	// Expected is the day's projected total (the actual one for past days);
	// Lower and Upper its 80 % interval.
	Expected, Lower, Upper float64
}

// Backtest is the model's accuracy on the history it is given: forecasts
// made from several past days (origins), each for the next HorizonDays days.
type Backtest struct {
	// MAPE is the mean absolute percentage error of the daily forecasts, in
	// percent, over days whose actual spend was not zero.
	MAPE float64
	// Origins is how many forecasts were made; HorizonDays how far each went.
	Origins, HorizonDays int
}

// ProjectMonth forecasts month m at time now. hist is the daily spend of
// complete days up to, not including, now's day; spent is the month's
// spend so far and today its part spent on now's day.
func ProjectMonth(hist Series, m Month, now time.Time, spent, today float64) Projection {
	now = now.UTC()
	model := Fit(hist)
	p := Projection{SpendToDate: spent, Model: model, ShortHistory: model.Days < 7, Backtest: RollingBacktest(hist, 7, 14)}
	todayStart := now.Truncate(day)
	elapsed := float64(now.Sub(todayStart)) / float64(day)
	var days []time.Time
	var weights []float64
	rem := 0.0
	for d := m.Start(); d.Before(m.End()); d = d.Add(day) {
		pt := DayPoint{Day: d}
		switch {
		case d.Before(todayStart):
			v := hist.at(d)
			pt.Actual, pt.Expected, pt.Lower, pt.Upper = &v, v, v, v
		default:
			w := 1.0
			base := 0.0
			if d.Equal(todayStart) {
				w, base = 1-elapsed, today
				v := today
				pt.Actual = &v
			}
			e := model.Predict(d) * w
			sd := model.SumSD([]time.Time{d}, []float64{w})
			pt.Expected, pt.Lower, pt.Upper = base+e, base+math.Max(0, e-z80*sd), base+e+z80*sd
			rem += e
			days, weights = append(days, d), append(weights, w)
		}
		p.Daily = append(p.Daily, pt)
	}
	p.Expected, p.Lower, p.Upper = spent+rem, spent, spent
	if len(days) > 0 {
		sd := model.SumSD(days, weights)
		p.Lower, p.Upper = spent+math.Max(0, rem-z80*sd), spent+rem+z80*sd
	}
	return p
}

// at is the value of day d, or 0 outside the series.
func (s Series) at(d time.Time) float64 {
	i := int(math.Round(float64(d.Sub(s.Start)) / float64(day)))
	if i < 0 || i >= len(s.Values) {
		return 0
	}
	return s.Values[i]
}

// RollingBacktest forecasts the horizon days after each of up to origins
// recent days from the days before it (at least 14), and returns the MAPE
// of those daily forecasts; nil when there is no origin to test from.
func RollingBacktest(s Series, horizon, origins int) *Backtest {
	n := len(s.Values)
	first := n - horizon - origins + 1
	if first < 14 {
		first = 14
	}
	var apeSum float64
	var count, made int
	for o := first; o+horizon <= n; o++ {
		m := Fit(Series{Start: s.Start, Values: s.Values[:o]})
		made++
		for h := 0; h < horizon; h++ {
			actual := s.Values[o+h]
			if actual == 0 {
				continue
			}
			pred := m.Predict(s.Start.Add(time.Duration(o+h) * day))
			apeSum += math.Abs(pred-actual) / actual
			count++
		}
	}
	if made == 0 || count == 0 {
		return nil
	}
	return &Backtest{MAPE: 100 * apeSum / float64(count), Origins: made, HorizonDays: horizon}
}
