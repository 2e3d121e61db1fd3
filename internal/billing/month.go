package billing

import (
	"fmt"
	"time"
)

// Month is a calendar month in UTC, the billing period. Usage and sign-ins
// belong to the month their UTC time falls in.
type Month struct {
	// Year and Mon name the month.
	Year int
	Mon  time.Month
}

// ParseMonth parses "YYYY-MM" (years 2000 to 2999).
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 || t.Year() < 2000 || t.Year() > 2999 {
		return Month{}, fmt.Errorf("%q is not a month such as 2026-11", s)
	}
	return Month{t.Year(), t.Month()}, nil
}

// MonthOf returns the UTC month of t.
func MonthOf(t time.Time) Month {
	t = t.UTC()
	return Month{t.Year(), t.Month()}
}

// Start is the month's first instant.
func (m Month) Start() time.Time { return time.Date(m.Year, m.Mon, 1, 0, 0, 0, 0, time.UTC) }

// End is the next month's first instant: the period is [Start, End).
func (m Month) End() time.Time { return m.Start().AddDate(0, 1, 0) }

// Days is how many days the month has.
func (m Month) Days() int { return int(m.End().Sub(m.Start()) / (24 * time.Hour)) }

// Add returns the month n months later (earlier when n < 0).
func (m Month) Add(n int) Month { return MonthOf(m.Start().AddDate(0, n, 0)) }

// String is "YYYY-MM".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Mon)) }
