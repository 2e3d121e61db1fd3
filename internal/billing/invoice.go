package billing

import (
	"fmt"
	"sort"
)

// ModelUsage is one model's usage in a period, per provider, as usage_logs
// recorded it. Token costs are never recomputed: a row's recorded cost is
// split into input, cached input and output only when the catalog's rates
// reproduce it exactly ("priced" rows); other rows (billed at earlier
// prices, or of a model the catalog no longer has) keep their recorded cost
// whole, on a line of their own.
type ModelUsage struct {
	// Model and Provider are as recorded.
	Model, Provider string
	// Requests counts every row.
	Requests int64
	// InputTokens (not cached), CachedTokens and OutputTokens are the
	// priced rows' tokens, and InputRate, CachedRate and OutputRate the
	// rates (US dollars per token) that reproduce their recorded cost.
	InputTokens, CachedTokens, OutputTokens int64
	InputRate, CachedRate, OutputRate       Dec
	// OtherRequests, OtherInputTokens (cached included), OtherOutputTokens
	// and OtherCost are the rows whose cost the rates do not reproduce.
	OtherRequests, OtherInputTokens, OtherOutputTokens int64
	OtherCost                                          Dec
	// Cost is every row's recorded cost, in US dollars.
	Cost Dec
}

// PromptTokens is every prompt token, cached included.
func (u ModelUsage) PromptTokens() int64 { return u.InputTokens + u.CachedTokens + u.OtherInputTokens }

// CompletionTokens is every output token.
func (u ModelUsage) CompletionTokens() int64 { return u.OutputTokens + u.OtherOutputTokens }

// Line is one invoice line. Amount is ExactAmount rounded half to even to
// the currency's minor unit.
type Line struct {
	Description string `json:"description"`
	Quantity    Dec    `json:"quantity" doc:"exact decimal, as a string"`
	Unit        string `json:"unit" doc:"1M tokens, user-month, lot or adjustment"`
	UnitPrice   Dec    `json:"unit_price" doc:"exact decimal in the invoice's currency"`
	Amount      Dec    `json:"amount" doc:"quantity × unit_price rounded half to even to the currency's minor unit"`
	ExactAmount Dec    `json:"exact_amount" doc:"quantity × unit_price, unrounded"`
	// Kind tells lines apart for machines: input, cached_input, output,
	// other_prices, seats, rounding.
	Kind string `json:"kind" enum:"input,cached_input,output,other_prices,seats,rounding"`
	// Model and Provider name a token line's model.
	Model    string `json:"model,omitempty"`
	Provider string `json:"provider,omitempty"`
}

// Bill is an invoice's content before it has a number.
type Bill struct {
	Currency string `json:"currency"`
	Lines    []Line `json:"line_items"`
	// Subtotal is the sum of the lines' amounts; Total equals it (no tax).
	Subtotal Dec `json:"subtotal"`
	Total    Dec `json:"total"`
	// ExactTotal is the sum of the lines' exact amounts; Total is it
	// rounded half to even, and RoundingResidue is Total − ExactTotal.
	ExactTotal      Dec `json:"exact_total"`
	RoundingResidue Dec `json:"rounding_residue"`
	// ActiveUsers is the number of seats billed.
	ActiveUsers int64 `json:"active_users"`
	// TokenCostUSD is the recorded token cost the bill covers, in US dollars.
	TokenCostUSD Dec `json:"token_cost_usd"`
}

var perMillion = DecInt(1_000_000)

// Build makes the bill of usage and seats active users under plan: a line
// per model for input, cached input and output tokens (and one for rows at
// other prices), one for seats, and, when the rounded lines do not add up
// to the rounded exact total, a rounding line that makes them.
func Build(plan Plan, usage []ModelUsage, seats int64) Bill {
	us := append([]ModelUsage(nil), usage...)
	sort.Slice(us, func(i, j int) bool {
		if us[i].Model != us[j].Model {
			return us[i].Model < us[j].Model
		}
		return us[i].Provider < us[j].Provider
	})
	minor := plan.MinorUnits()
	b := Bill{Currency: plan.Currency, ActiveUsers: seats, TokenCostUSD: Zero}
	add := func(l Line) {
		l.ExactAmount = l.Quantity.Mul(l.UnitPrice)
		l.Amount = l.ExactAmount.Round(minor)
		b.Lines = append(b.Lines, l)
	}
	for _, u := range us {
		b.TokenCostUSD = b.TokenCostUSD.Add(u.Cost)
		f := plan.Factor(u.Model, u.Provider)
		name := u.Model
		if name == "" {
			name = "(no model)"
		}
		name += " (" + orNone(u.Provider) + ")"
		for _, t := range []struct {
			kind, what string
			n          int64
			rate       Dec
		}{{"input", "input tokens", u.InputTokens, u.InputRate}, {"cached_input", "cached input tokens", u.CachedTokens, u.CachedRate},
			{"output", "output tokens", u.OutputTokens, u.OutputRate}} {
			if t.n == 0 {
				continue
			}
			add(Line{Description: name + " " + t.what, Quantity: DecFrac(t.n, 1_000_000), Unit: "1M tokens",
				UnitPrice: t.rate.Mul(perMillion).Mul(f), Kind: t.kind, Model: u.Model, Provider: u.Provider})
		}
		if u.OtherRequests > 0 && (!u.OtherCost.IsZero() || u.OtherInputTokens+u.OtherOutputTokens > 0) {
			add(Line{Description: fmt.Sprintf("%s: %d requests at other prices (%d input, %d output tokens)",
				name, u.OtherRequests, u.OtherInputTokens, u.OtherOutputTokens),
				Quantity: DecInt(1), Unit: "lot", UnitPrice: u.OtherCost.Mul(f), Kind: "other_prices", Model: u.Model, Provider: u.Provider})
		}
	}
	if seats > 0 {
		add(Line{Description: "Active users", Quantity: DecInt(seats), Unit: "user-month", UnitPrice: plan.SeatFee, Kind: "seats"})
	}
	b.finish(minor)
	return b
}

// finish totals the lines, adding the rounding line when needed.
func (b *Bill) finish(minor int) {
	exact, sum := Zero, Zero
	for _, l := range b.Lines {
		exact, sum = exact.Add(l.ExactAmount), sum.Add(l.Amount)
	}
	total := exact.Round(minor)
	if d := total.Sub(sum); !d.IsZero() {
		b.Lines = append(b.Lines, Line{Description: "Rounding adjustment (lines rounded one by one; the total is rounded once)",
			Quantity: DecInt(1), Unit: "adjustment", UnitPrice: d, Amount: d, ExactAmount: Zero, Kind: "rounding"})
	}
	if b.Lines == nil {
		b.Lines = []Line{}
	}
	b.Subtotal, b.Total, b.ExactTotal, b.RoundingResidue = total, total, exact, total.Sub(exact)
}

// Credit returns the credit note of b: every line and amount negated.
func (b Bill) Credit() Bill {
	c := b
	c.Lines = make([]Line, len(b.Lines))
	for i, l := range b.Lines {
		l.Quantity = l.Quantity.Neg()
		l.Amount, l.ExactAmount = l.Amount.Neg(), l.ExactAmount.Neg()
		c.Lines[i] = l
	}
	c.Subtotal, c.Total, c.ExactTotal, c.RoundingResidue = b.Subtotal.Neg(), b.Total.Neg(), b.ExactTotal.Neg(), b.RoundingResidue.Neg()
	c.TokenCostUSD = b.TokenCostUSD.Neg()
	c.ActiveUsers = -b.ActiveUsers
	return c
}

func orNone(s string) string {
	if s == "" {
		return "no provider"
	}
	return s
}
