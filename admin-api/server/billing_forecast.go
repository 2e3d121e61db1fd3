package server

import (
	"net/http"
	"time"

	"github.com/aigw/aigw/internal/billing"
	"github.com/aigw/aigw/internal/store"
)

func init() {
	addRoutes(Route{Method: "GET", Path: "/billing/forecast", Perm: PermBillingRead, Handle: getForecast,
		Doc: Doc{Tag: "billing", Summary: "The month's token cost so far and its projected month-end total, with an 80 % interval",
			Description: "A weekday-aware linear model (level, trend and a weekday effect) fitted by least squares to the last 56 complete days of recorded cost, " +
				"refitted without outlier days; with 7 to 13 days of history a linear trend only, under 7 days the daily mean with the interval doubled (short_history). " +
				"backtest is the model's error on the tenant's own last weeks (forecasts of the 7 days after each of up to 14 past days). " +
				"Figures are US dollars of recorded token cost; projections are estimates, rounded to cents.",
			Query: monthQuery{}, Response: ForecastView{}, Errors: []int{422}}})
}

// historyDays is how far back the forecast reads daily spend.
const historyDays = 56

// ForecastView is a month's forecast.
type ForecastView struct {
	Month          string        `json:"month"`
	Currency       string        `json:"currency" enum:"USD" doc:"recorded token cost is in US dollars"`
	AsOf           time.Time     `json:"as_of"`
	SpendToDate    string        `json:"spend_to_date" format:"decimal" doc:"exact recorded cost of the month so far"`
	ProjectedTotal string        `json:"projected_total" format:"decimal" doc:"projected month-end total"`
	Lower          string        `json:"lower" format:"decimal" doc:"80 % interval, lower bound (never below spend_to_date)"`
	Upper          string        `json:"upper" format:"decimal" doc:"80 % interval, upper bound"`
	Interval       string        `json:"interval" doc:"the interval's probability"`
	Method         string        `json:"method" enum:"weekday-linear-regression,linear-trend,daily-mean"`
	HistoryDays    int           `json:"history_days" doc:"complete days the model was fitted on (at most 56)"`
	ShortHistory   bool          `json:"short_history" doc:"under 7 days of history: the projection is rough and its interval doubled"`
	Note           string        `json:"note,omitempty"`
	Backtest       *BacktestView `json:"backtest" doc:"null under 21 days of history"`
	Daily          []ForecastDay `json:"daily" doc:"every day of the month"`
}

// BacktestView is the forecast method's error on the tenant's history.
type BacktestView struct {
	MAPEPercent float64 `json:"mape_percent" doc:"mean absolute percentage error of daily forecasts, over days with spend"`
	Origins     int     `json:"origins" doc:"forecasts made"`
	HorizonDays int     `json:"horizon_days" doc:"days each forecast covered"`
}

// ForecastDay is one day of the month.
type ForecastDay struct {
	Date     string  `json:"date" format:"date"`
	Actual   *string `json:"actual" format:"decimal" doc:"spend so far; null for days to come"`
	Expected string  `json:"expected" format:"decimal"`
	Lower    string  `json:"lower" format:"decimal"`
	Upper    string  `json:"upper" format:"decimal"`
}

func getForecast(c *Call) error {
	var q monthQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	now := c.srv.now().UTC()
	m, err := q.month(now)
	if err != nil {
		return err
	}
	if m.Start().After(now) {
		return unprocessable("month", "%s has not started yet", m)
	}
	ctx, db := c.R.Context(), c.Store()
	end := now
	if m.End().Before(end) {
		end = m.End()
	}
	spent, err := db.UsageTotal(ctx, db.Usage(m.Start(), end, ""))
	if err != nil {
		return err
	}
	today := now.Truncate(24 * time.Hour)
	histStart := today.AddDate(0, 0, -historyDays)
	if first := m.Start().AddDate(0, 0, -historyDays); first.Before(histStart) {
		histStart = first
	}
	days, err := db.UsageByDay(ctx, db.Usage(histStart, now, ""))
	if err != nil {
		return err
	}
	hist, todaySoFar := dailySeries(days, histStart, today)
	p := billing.ProjectMonth(hist, m, now, spent.Float(), todaySoFar)
	return c.JSON(http.StatusOK, forecastView(p, m, now, spent))
}

// dailySeries lays days out as one value per day from start up to, not
// including, today (days without usage are 0), and returns today's spend
// apart. The series starts at the first day with usage: days before a
// tenant's first request are not history.
func dailySeries(days []store.DaySpend, start, today time.Time) (billing.Series, float64) {
	var todaySoFar float64
	byDay := map[time.Time]float64{}
	first := today
	for _, d := range days {
		if d.Day.Equal(today) {
			todaySoFar = d.Cost.Float()
			continue
		}
		byDay[d.Day] = d.Cost.Float()
		if d.Day.Before(first) {
			first = d.Day
		}
	}
	s := billing.Series{Start: first}
	for d := first; d.Before(today); d = d.AddDate(0, 0, 1) {
		s.Values = append(s.Values, byDay[d])
	}
	return s, todaySoFar
}

func cents(f float64) string { return billing.DecFrac(int64(f*100+0.5), 100).Fixed(2) }

func forecastView(p billing.Projection, m billing.Month, now time.Time, spent billing.Dec) ForecastView {
	v := ForecastView{Month: m.String(), Currency: "USD", AsOf: now, SpendToDate: spent.String(),
		ProjectedTotal: cents(p.Expected), Lower: cents(p.Lower), Upper: cents(p.Upper), Interval: "0.8",
		Method: p.Model.Method, HistoryDays: p.Model.Days, ShortHistory: p.ShortHistory, Daily: []ForecastDay{}}
	if !m.End().After(now) {
		v.ProjectedTotal, v.Lower, v.Upper = spent.String(), spent.String(), spent.String()
		v.Note = "the month is over: the total is its recorded spend"
	} else if p.ShortHistory {
		v.Note = "under 7 days of history: the projection is the mean daily spend and its interval is doubled"
	}
	if p.Backtest != nil {
		v.Backtest = &BacktestView{MAPEPercent: float64(int64(p.Backtest.MAPE*100+0.5)) / 100, Origins: p.Backtest.Origins, HorizonDays: p.Backtest.HorizonDays}
	}
	for _, d := range p.Daily {
		fd := ForecastDay{Date: d.Day.Format(time.DateOnly), Expected: cents(d.Expected), Lower: cents(d.Lower), Upper: cents(d.Upper)}
		if d.Actual != nil {
			a := cents(*d.Actual)
			fd.Actual = &a
		}
		v.Daily = append(v.Daily, fd)
	}
	return v
}
