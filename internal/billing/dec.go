// Package billing turns metered usage into money a finance team can audit:
// the tenant's pricing plan, invoices with line items rounded to cents only
// at the end (half-even, the residue shown), and a forecast of the month's
// spend. It is pure: no HTTP, no database. internal/store reads usage_logs
// into its types; the admin API serves them.
//
// Amounts are exact decimals (Dec), never floats: a token cost recorded in
// usage_logs with twelve decimals, times a markup percentage, times an
// exchange rate, is still an exact decimal, and it stays one until an
// invoice rounds it.
package billing

import (
	"fmt"
	"math/big"
	"strings"
)

// Dec is an exact decimal amount. The zero value is 0. Values are
// immutable: operations return new values.
type Dec struct {
	r *big.Rat
}

func (d Dec) rat() *big.Rat {
	if d.r == nil {
		return new(big.Rat)
	}
	return d.r
}

// Zero is 0.
var Zero = Dec{}

// DecInt returns n.
func DecInt(n int64) Dec { return Dec{new(big.Rat).SetInt64(n)} }

// DecFrac returns num/den; den must not be 0.
func DecFrac(num, den int64) Dec { return Dec{big.NewRat(num, den)} }

// ParseDec parses a plain decimal such as "12", "-0.5" or "2.500000" with at
// most maxDecimals digits after the point. Exponents, spaces, "+" and
// empty parts are refused.
func ParseDec(s string, maxDecimals int) (Dec, error) {
	body := strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(body, ".")
	if whole == "" || !digits(whole) || !digits(frac) || (dot && frac == "") {
		return Dec{}, fmt.Errorf("%q is not a plain decimal number such as \"12.50\"", s)
	}
	if len(frac) > maxDecimals {
		return Dec{}, fmt.Errorf("%q has more than %d decimals", s, maxDecimals)
	}
	if len(whole)+len(frac) > 60 {
		return Dec{}, fmt.Errorf("%q is too long", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Dec{}, fmt.Errorf("%q is not a decimal number", s)
	}
	return Dec{r}, nil
}

// MustDec parses s (any number of decimals) and panics if it is malformed:
// for constants and values read back from NUMERIC columns.
func MustDec(s string) Dec {
	d, err := ParseDec(s, 60)
	if err != nil {
		panic(err)
	}
	return d
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Add returns d+e.
func (d Dec) Add(e Dec) Dec { return Dec{new(big.Rat).Add(d.rat(), e.rat())} }

// Sub returns d-e.
func (d Dec) Sub(e Dec) Dec { return Dec{new(big.Rat).Sub(d.rat(), e.rat())} }

// Mul returns d*e.
func (d Dec) Mul(e Dec) Dec { return Dec{new(big.Rat).Mul(d.rat(), e.rat())} }

// MulInt returns d*n.
func (d Dec) MulInt(n int64) Dec { return d.Mul(DecInt(n)) }

// Neg returns -d.
func (d Dec) Neg() Dec { return Dec{new(big.Rat).Neg(d.rat())} }

// Cmp compares d and e: -1, 0 or +1.
func (d Dec) Cmp(e Dec) int { return d.rat().Cmp(e.rat()) }

// Sign is -1, 0 or +1.
func (d Dec) Sign() int { return d.rat().Sign() }

// IsZero reports whether d is 0.
func (d Dec) IsZero() bool { return d.Sign() == 0 }

// Float returns d as the nearest float64, for statistics (the forecast),
// never for amounts.
func (d Dec) Float() float64 {
	f, _ := d.rat().Float64()
	return f
}

// Int64 returns d's integer part (toward zero); it is meant for counts
// stored as decimals, well within int64.
func (d Dec) Int64() int64 {
	return new(big.Int).Quo(d.rat().Num(), d.rat().Denom()).Int64()
}

// Round returns d rounded to the given number of decimals, half to even
// (banker's rounding: 0.125 → 0.12, 0.135 → 0.14), as accountants do to
// keep rounding unbiased over many amounts.
func (d Dec) Round(decimals int) Dec {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
	num := new(big.Int).Mul(d.rat().Num(), scale)
	den := d.rat().Denom()
	q, r := new(big.Int).QuoRem(num, den, new(big.Int)) // truncated toward zero
	twice := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
	switch c := twice.Cmp(den); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return Dec{new(big.Rat).SetFrac(q, scale)}
}

// Fixed formats d with exactly n decimals, rounding half to even when d
// has more.
func (d Dec) Fixed(n int) string {
	return d.Round(n).rat().FloatString(n)
}

// String formats d exactly as a plain decimal, with at least two decimals
// and no more than it needs ("12.50", "0.000002125"). A value that is not
// a finite decimal (a third, say) cannot arise from Dec's own operations on
// decimals; it is shown to 40 decimals.
func (d Dec) String() string {
	r := d.rat()
	n := 2
	for ; n <= 40; n++ {
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
		if new(big.Int).Mod(new(big.Int).Mul(r.Num(), scale), r.Denom()).Sign() == 0 {
			break
		}
	}
	if n > 40 {
		n = 40
	}
	return r.FloatString(n)
}

// MarshalJSON writes d as a JSON string holding a plain decimal, so no
// client parses it into a float by accident.
func (d Dec) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads a JSON string holding a plain decimal.
func (d *Dec) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return fmt.Errorf("want a decimal in a JSON string, such as \"12.50\"")
	}
	v, err := ParseDec(s[1:len(s)-1], 40)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
