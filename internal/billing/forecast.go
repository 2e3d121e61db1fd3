package billing

import (
	"math"
	"sort"
	"time"
)

// The forecast fits a weekday-aware linear model to daily spend:
//
//	spend(day) = level + trend × day + weekday effect (six dummies, Monday the base)
//
// by least squares over the last 56 complete days, refitted once without
// the days whose residual is over 3.5 robust standard deviations (a spike
// does not bend the line). Remaining days are the fitted values; the 80 %
// interval of their sum accounts for day-to-day noise and for the
// uncertainty of level and trend. With 14 to 20 days the weekday effects
// are still fitted; with 7 to 13 days only level and trend; under 7 days
// the mean daily spend is projected, the day-to-day spread taken as at
// least a quarter of the mean, and the interval doubled.

// Forecast method names.
const (
	MethodWeekdayLinear = "weekday-linear-regression"
	MethodLinear        = "linear-trend"
	MethodMean          = "daily-mean"
)

const (
	fitWindow = 56
	z80       = 1.2815515655446004 // standard normal quantile of 0.9
	day       = 24 * time.Hour
)

// Series is daily spend, oldest first; Start is the UTC midnight of the
// first value's day.
type Series struct {
	Start  time.Time
	Values []float64
}

// Model is a fitted daily spend model.
type Model struct {
	// Method is one of the Method constants.
	Method string
	// Days is how many days of history it was fitted on.
	Days   int
	origin time.Time
	beta   []float64 // level, trend, then weekday effects when fitted
	sigma  float64
	tMean  float64
	stt    float64
	nEff   float64
}

// Fit fits the model to the last fitWindow days of s.
func Fit(s Series) Model {
	vals, start := s.Values, s.Start
	if len(vals) > fitWindow {
		start = start.Add(time.Duration(len(vals)-fitWindow) * day)
		vals = vals[len(vals)-fitWindow:]
	}
	m := Model{Days: len(vals), origin: start}
	switch n := len(vals); {
	case n == 0:
		m.Method, m.beta = MethodMean, []float64{0}
		return m
	case n < 7:
		m.Method = MethodMean
		m.fitMean(vals)
		return m
	case n < 14:
		m.Method = MethodLinear
	default:
		m.Method = MethodWeekdayLinear
	}
	w := make([]float64, len(vals))
	for i := range w {
		w[i] = 1
	}
	m.fitWeighted(vals, w)
	res := m.residuals(vals)
	med := median(abs(res))
	limit := 3.5 * 1.4826 * med
	if limit == 0 {
		limit = 1e-9 * (1 + mean(vals))
	}
	dropped := false
	for i, r := range res {
		if math.Abs(r) > limit {
			w[i], dropped = 0, true
		}
	}
	if dropped && m.params() < int(sum(w)) {
		m.fitWeighted(vals, w)
	}
	return m
}

func (m *Model) fitMean(vals []float64) {
	mu := mean(vals)
	m.beta = []float64{mu}
	var ss float64
	for _, v := range vals {
		ss += (v - mu) * (v - mu)
	}
	if len(vals) > 1 {
		m.sigma = math.Sqrt(ss / float64(len(vals)-1))
	}
	// A few days say little about the spread: assume at least a quarter of
	// the mean (SumSD doubles it again).
	m.sigma = math.Max(m.sigma, 0.25*mu)
	m.nEff = float64(len(vals))
}

func (m *Model) params() int {
	if m.Method == MethodWeekdayLinear {
		return 8
	}
	return 2
}

// features are the regressors of day index t (days since origin).
func (m *Model) features(t int, x []float64) []float64 {
	x = append(x[:0], 1, float64(t))
	if m.Method == MethodWeekdayLinear {
		wd := int(m.origin.Add(time.Duration(t)*day).Weekday()+6) % 7 // Monday 0
		for k := 1; k < 7; k++ {
			if wd == k {
				x = append(x, 1)
			} else {
				x = append(x, 0)
			}
		}
	}
	return x
}

func (m *Model) fitWeighted(vals, w []float64) {
	p := m.params()
	a := make([][]float64, p)
	for i := range a {
		a[i] = make([]float64, p+1)
	}
	var x []float64
	var n, tSum float64
	for t, v := range vals {
		if w[t] == 0 {
			continue
		}
		x = m.features(t, x)
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				a[i][j] += x[i] * x[j]
			}
			a[i][p] += x[i] * v
		}
		n++
		tSum += float64(t)
	}
	m.beta = solve(a, p)
	m.nEff, m.tMean = n, tSum/n
	var ss float64
	m.stt = 0
	for t, v := range vals {
		if w[t] == 0 {
			continue
		}
		r := v - m.at(t)
		ss += r * r
		m.stt += (float64(t) - m.tMean) * (float64(t) - m.tMean)
	}
	if dof := n - float64(p); dof > 0 {
		m.sigma = math.Sqrt(ss / dof)
	}
}

// solve does Gaussian elimination with partial pivoting on the augmented
// p×(p+1) matrix a; a singular column (a weekday never seen) gets 0.
func solve(a [][]float64, p int) []float64 {
	for c := 0; c < p; c++ {
		piv := c
		for r := c + 1; r < p; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[piv][c]) {
				piv = r
			}
		}
		a[c], a[piv] = a[piv], a[c]
		if math.Abs(a[c][c]) < 1e-12 {
			continue
		}
		for r := 0; r < p; r++ {
			if r == c {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k <= p; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	beta := make([]float64, p)
	for i := 0; i < p; i++ {
		if math.Abs(a[i][i]) >= 1e-12 {
			beta[i] = a[i][p] / a[i][i]
		}
	}
	return beta
}

func (m *Model) at(t int) float64 {
	if m.Method == MethodMean {
		return m.beta[0]
	}
	x := m.features(t, nil)
	var y float64
	for i, b := range m.beta {
		y += b * x[i]
	}
	return y
}

func (m *Model) residuals(vals []float64) []float64 {
	out := make([]float64, len(vals))
	for t, v := range vals {
		out[t] = v - m.at(t)
	}
	return out
}

// Predict is the expected spend of the UTC day d (never negative).
func (m Model) Predict(d time.Time) float64 {
	return math.Max(0, m.at(m.index(d)))
}

func (m Model) index(d time.Time) int {
	return int(math.Round(float64(d.Sub(m.origin)) / float64(day)))
}

// SumSD is the standard deviation of the error of the predicted sum of
// the given days, weighted (a part of today counts as a part of a day).
func (m Model) SumSD(days []time.Time, weights []float64) float64 {
	var h, tdev float64
	for i, d := range days {
		h += weights[i]
		tdev += weights[i] * (float64(m.index(d)) - m.tMean)
	}
	v := m.sigma * m.sigma * h
	if m.nEff > 0 {
		v += m.sigma * m.sigma * h * h / m.nEff
	}
	if m.stt > 0 && m.Method != MethodMean {
		v += m.sigma * m.sigma * tdev * tdev / m.stt
	}
	sd := math.Sqrt(v)
	if m.Days < 7 {
		sd *= 2
	}
	return sd
}

// Z80 is the half-width of an 80 % normal interval in standard deviations.
func Z80() float64 { return z80 }

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return sum(v) / float64(len(v))
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

func abs(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Abs(x)
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
