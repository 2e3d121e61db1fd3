package billing

import (
	"fmt"
	"regexp"
)

// Plan is a tenant's pricing plan: what it pays per active user and how its
// token costs (recorded in US dollars) become charges in its currency.
type Plan struct {
	// Currency is the ISO 4217 code invoices are in (default USD).
	Currency string `json:"currency"`
	// USDRate is how many units of Currency one US dollar of token cost
	// becomes; exactly 1 for USD.
	USDRate Dec `json:"usd_rate"`
	// SeatFee is the fee per active user per month, in Currency.
	SeatFee Dec `json:"seat_fee"`
	// Adjustments are markups (positive percent) or discounts (negative) on
	// token cost, per model or per provider; a model's own adjustment wins
	// over its provider's.
	Adjustments []Adjustment `json:"adjustments"`
}

// Adjustment changes the token cost of one model or one provider by a
// percentage.
type Adjustment struct {
	// Model is the model id as usage_logs records it; empty when Provider is set.
	Model string `json:"model,omitempty"`
	// Provider is the provider name; empty when Model is set.
	Provider string `json:"provider,omitempty"`
	// Percent is the change: "10" adds 10 %, "-12.5" takes 12.5 % off.
	Percent Dec `json:"percent"`
}

// DefaultPlan is the plan of a tenant that has not set one: USD, no seat
// fee, token cost as recorded.
func DefaultPlan() Plan {
	return Plan{Currency: "USD", USDRate: DecInt(1), SeatFee: Zero, Adjustments: []Adjustment{}}
}

// PlanInput is a plan as a client sends it: decimals as strings, so that
// no amount passes through a float.
type PlanInput struct {
	Currency    string            `json:"currency" doc:"ISO 4217 code such as USD or EUR (default USD)"`
	USDRate     string            `json:"usd_rate,omitempty" doc:"units of currency per US dollar, up to 10 decimals; required unless the currency is USD (then 1)"`
	SeatFee     string            `json:"seat_fee" required:"true" doc:"fee per active user per month in the currency, such as \"25.00\" (up to 6 decimals)"`
	Adjustments []AdjustmentInput `json:"adjustments,omitempty" doc:"markups and discounts on token cost, per model or provider"`
}

// AdjustmentInput is one adjustment as a client sends it.
type AdjustmentInput struct {
	Model    string `json:"model,omitempty" doc:"a model id; give model or provider, not both"`
	Provider string `json:"provider,omitempty" doc:"a provider name"`
	Percent  string `json:"percent" required:"true" doc:"-100 to 1000, up to 4 decimals: \"10\" is a 10 % markup, \"-5\" a 5 % discount"`
}

// FieldError is an input value refused: Field names it as the client sent
// it and Reason says why.
type FieldError struct {
	Field, Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// maxAdjustments bounds a plan's adjustments.
const maxAdjustments = 200

// Plan validates in and returns the plan it describes.
func (in PlanInput) Plan() (Plan, error) {
	p := DefaultPlan()
	if in.Currency != "" {
		if !currencyCode.MatchString(in.Currency) {
			return Plan{}, &FieldError{"currency", "want an ISO 4217 code of three capital letters, such as EUR"}
		}
		p.Currency = in.Currency
	}
	switch {
	case p.Currency == "USD" && in.USDRate != "" && in.USDRate != "1":
		if r, err := ParseDec(in.USDRate, 10); err != nil || r.Cmp(DecInt(1)) != 0 {
			return Plan{}, &FieldError{"usd_rate", "must be 1 (or left out) when the currency is USD"}
		}
	case p.Currency != "USD":
		r, err := ParseDec(in.USDRate, 10)
		if err != nil || r.Sign() <= 0 || r.Cmp(DecInt(1_000_000)) > 0 {
			return Plan{}, &FieldError{"usd_rate", fmt.Sprintf("want units of %s per US dollar, above 0 and at most 1000000, up to 10 decimals", p.Currency)}
		}
		p.USDRate = r
	}
	fee, err := ParseDec(in.SeatFee, 6)
	if err != nil || fee.Sign() < 0 || fee.Cmp(DecInt(1_000_000_000)) >= 0 {
		return Plan{}, &FieldError{"seat_fee", "want a decimal from 0 to below 1000000000 with up to 6 decimals, such as \"25.00\""}
	}
	p.SeatFee = fee
	adj, err := adjustments(in.Adjustments)
	if err != nil {
		return Plan{}, err
	}
	p.Adjustments = adj
	return p, nil
}

func adjustments(in []AdjustmentInput) ([]Adjustment, error) {
	if len(in) > maxAdjustments {
		return nil, &FieldError{"adjustments", fmt.Sprintf("at most %d", maxAdjustments)}
	}
	out := make([]Adjustment, 0, len(in))
	seen := map[string]bool{}
	for i, a := range in {
		field := fmt.Sprintf("adjustments[%d]", i)
		if (a.Model == "") == (a.Provider == "") {
			return nil, &FieldError{field, "give either model or provider"}
		}
		if len(a.Model) > 200 || len(a.Provider) > 200 {
			return nil, &FieldError{field, "names are at most 200 bytes"}
		}
		key := "model:" + a.Model
		if a.Provider != "" {
			key = "provider:" + a.Provider
		}
		if seen[key] {
			return nil, &FieldError{field, "this " + key + " has an adjustment already"}
		}
		seen[key] = true
		pct, err := ParseDec(a.Percent, 4)
		if err != nil || pct.Cmp(DecInt(-100)) < 0 || pct.Cmp(DecInt(1000)) > 0 {
			return nil, &FieldError{field + ".percent", "want a decimal from -100 to 1000 with up to 4 decimals"}
		}
		out = append(out, Adjustment{Model: a.Model, Provider: a.Provider, Percent: pct})
	}
	return out, nil
}

// Factor is what one US dollar of the model's recorded token cost is
// charged, in the plan's currency: (1 + percent/100) × USDRate.
func (p Plan) Factor(model, provider string) Dec {
	pct := Zero
	found := false
	for _, a := range p.Adjustments {
		if a.Model != "" && a.Model == model {
			pct, found = a.Percent, true
			break
		}
	}
	if !found {
		for _, a := range p.Adjustments {
			if a.Provider != "" && a.Provider == provider {
				pct = a.Percent
				break
			}
		}
	}
	return DecInt(1).Add(pct.Mul(DecFrac(1, 100))).Mul(p.rate())
}

func (p Plan) rate() Dec {
	if p.USDRate.r == nil {
		return DecInt(1)
	}
	return p.USDRate
}

// MinorUnits is how many decimals the plan's currency has: invoices round
// to them (2 for most; 0 for JPY, KRW and a few others; 3 for BHD, KWD ...).
func (p Plan) MinorUnits() int {
	switch p.Currency {
	case "JPY", "KRW", "ISK", "CLP", "VND", "UGX", "XAF", "XOF", "PYG", "RWF":
		return 0
	case "BHD", "KWD", "OMR", "JOD", "IQD", "LYD", "TND":
		return 3
	}
	return 2
}
