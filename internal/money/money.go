// Package money holds aigw's exact money arithmetic. Prices arrive as decimal
// strings in US dollars per million tokens; costs are integers of picodollars
// (1e-12 USD), so a price with up to six decimals per million tokens multiplies
// out exactly and no float ever touches money.
package money

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Pico is an amount of US dollars in units of 1e-12 USD. Its range (±9.2e6 USD)
// is ample for one request or one month of one key; sums across tenants belong in
// PostgreSQL NUMERIC.
type Pico int64

// picoPerDollar is the number of Pico units in one US dollar.
const picoPerDollar = 1_000_000_000_000

// Rate is a price per token in Pico. A price of P dollars per million tokens is
// P*1e6 Pico per token, so "2.50" per million tokens is Rate 2_500_000.
type Rate int64

// ParseRate parses a price in US dollars per million tokens, such as "2.50" or
// "0.075", into a Rate. At most six decimals are accepted; negative prices,
// exponents and other forms are errors that quote the value.
func ParseRate(perMillion string) (Rate, error) {
	s := strings.TrimSpace(perMillion)
	whole, frac, hasDot := strings.Cut(s, ".")
	if s == "" || whole == "" && !hasDot || !allDigits(whole) || !allDigits(frac) || hasDot && frac == "" {
		return 0, fmt.Errorf("price %q: want a decimal number of US dollars per million tokens, such as \"2.50\"", perMillion)
	}
	if len(frac) > 6 {
		return 0, fmt.Errorf("price %q: at most six decimals are supported", perMillion)
	}
	frac += strings.Repeat("0", 6-len(frac))
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > math.MaxInt64/1_000_000-1 {
		return 0, fmt.Errorf("price %q: too large", perMillion)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return Rate(w*1_000_000 + f), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PerMillion formats r back as US dollars per million tokens, trimmed of
// trailing zeros ("2.5", "0.075").
func (r Rate) PerMillion() string {
	s := fmt.Sprintf("%d.%06d", int64(r)/1_000_000, int64(r)%1_000_000)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// Cost returns the price of n tokens at rate r. It saturates instead of
// overflowing: no real request comes near the bound.
func (r Rate) Cost(n int64) Pico {
	if n <= 0 || r <= 0 {
		return 0
	}
	if n > math.MaxInt64/int64(r) {
		return Pico(math.MaxInt64)
	}
	return Pico(n * int64(r))
}

// Add returns p+q, saturating at the bounds of Pico.
func (p Pico) Add(q Pico) Pico {
	s := p + q
	if q > 0 && s < p {
		return Pico(math.MaxInt64)
	}
	if q < 0 && s > p {
		return Pico(math.MinInt64)
	}
	return s
}

// String formats p as US dollars with twelve decimals, exact ("0.000002500000").
func (p Pico) String() string {
	neg := p < 0
	v := new(big.Int).SetInt64(int64(p))
	if neg {
		v.Neg(v)
	}
	q, r := new(big.Int).QuoRem(v, big.NewInt(picoPerDollar), new(big.Int))
	s := fmt.Sprintf("%s.%012s", q.String(), r.String())
	if neg {
		s = "-" + s
	}
	return s
}

// USD formats p as US dollars rounded half away from zero to the given number of
// decimals (0 to 12), for headers and invoices.
func (p Pico) USD(decimals int) string {
	if decimals < 0 || decimals > 12 {
		decimals = 12
	}
	unit := int64(1)
	for i := 0; i < 12-decimals; i++ {
		unit *= 10
	}
	v := int64(p)
	neg := v < 0
	if neg {
		v = -v
	}
	rounded := (v + unit/2) / unit
	intPart := rounded
	var frac int64
	if decimals > 0 {
		scale := int64(1)
		for i := 0; i < decimals; i++ {
			scale *= 10
		}
		intPart, frac = rounded/scale, rounded%scale
	}
	s := strconv.FormatInt(intPart, 10)
	if decimals > 0 {
		s += fmt.Sprintf(".%0*d", decimals, frac)
	}
	if neg && rounded != 0 {
		s = "-" + s
	}
	return s
}
