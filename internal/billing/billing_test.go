package billing

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRoundIsHalfToEven(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"0.125", 2, "0.12"}, {"0.135", 2, "0.14"}, {"0.1251", 2, "0.13"}, {"-0.125", 2, "-0.12"},
		{"-0.135", 2, "-0.14"}, {"2.5", 0, "2"}, {"3.5", 0, "4"}, {"0.004999999999", 2, "0.00"},
		{"0.005", 2, "0.00"}, {"0.015", 2, "0.02"}, {"1234567890123.455", 2, "1234567890123.46"},
		{"0.0005", 3, "0.000"}, {"7", 2, "7.00"},
	} {
		if got := MustDec(tc.in).Fixed(tc.n); got != tc.want {
			t.Errorf("%s to %d decimals = %s, want %s", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestDecStringIsExactAndPlain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"12", "12.00"}, {"0.000002125", "0.000002125"}, {"-3.10", "-3.10"}, {"100.123456789012", "100.123456789012"},
	} {
		if got := MustDec(tc.in).String(); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.in, got, tc.want)
		}
	}
	b, _ := json.Marshal(MustDec("1.5"))
	if string(b) != `"1.50"` {
		t.Errorf("JSON %s", b)
	}
	var d Dec
	if err := json.Unmarshal([]byte(`1.5`), &d); err == nil {
		t.Error("a JSON number was accepted as an amount")
	}
}

func TestParseDecRefusesWhatIsNotAPlainDecimal(t *testing.T) {
	for _, s := range []string{"", "1e3", "+1", " 1", "1.", ".5", "1,5", "NaN", "0x10", "1.1234567"} {
		if _, err := ParseDec(s, 6); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestPlanValidation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    PlanInput
		field string
	}{
		{"ok", PlanInput{SeatFee: "25"}, ""},
		{"eur", PlanInput{Currency: "EUR", USDRate: "0.92", SeatFee: "20"}, ""},
		{"eur without rate", PlanInput{Currency: "EUR", SeatFee: "20"}, "usd_rate"},
		{"usd with rate", PlanInput{USDRate: "0.9", SeatFee: "1"}, "usd_rate"},
		{"lower-case currency", PlanInput{Currency: "eur", USDRate: "1", SeatFee: "1"}, "currency"},
		{"negative fee", PlanInput{SeatFee: "-1"}, "seat_fee"},
		{"float fee", PlanInput{SeatFee: "1e2"}, "seat_fee"},
		{"both targets", PlanInput{SeatFee: "1", Adjustments: []AdjustmentInput{{Model: "a", Provider: "b", Percent: "1"}}}, "adjustments[0]"},
		{"discount over 100", PlanInput{SeatFee: "1", Adjustments: []AdjustmentInput{{Model: "a", Percent: "-101"}}}, "adjustments[0].percent"},
		{"duplicate", PlanInput{SeatFee: "1", Adjustments: []AdjustmentInput{{Model: "a", Percent: "1"}, {Model: "a", Percent: "2"}}}, "adjustments[1]"},
	} {
		_, err := tc.in.Plan()
		var fe *FieldError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.field)
		}
	}
}

func TestFactorPrefersTheModelsAdjustmentOverItsProviders(t *testing.T) {
	p, err := PlanInput{Currency: "EUR", USDRate: "0.5", SeatFee: "0", Adjustments: []AdjustmentInput{
		{Provider: "openai", Percent: "10"}, {Model: "gpt-4o", Percent: "-12.5"}}}.Plan()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ model, provider, want string }{
		{"gpt-4o", "openai", "0.4375"}, {"gpt-5", "openai", "0.55"}, {"claude", "anthropic", "0.50"},
	} {
		if got := p.Factor(tc.model, tc.provider).String(); got != tc.want {
			t.Errorf("factor %s/%s = %s, want %s", tc.model, tc.provider, got, tc.want)
		}
	}
}

func TestBuildSplitsTokensPerModelAndRoundsOnlyTheTotalOnce(t *testing.T) {
	plan, _ := PlanInput{SeatFee: "25.005", Adjustments: []AdjustmentInput{{Model: "m1", Percent: "10"}}}.Plan()
	usage := []ModelUsage{
		{Model: "m1", Provider: "p", Requests: 3, InputTokens: 1_234_567, CachedTokens: 1000, OutputTokens: 333,
			InputRate: MustDec("0.0000025"), CachedRate: MustDec("0.00000125"), OutputRate: MustDec("0.00001"),
			OtherRequests: 1, OtherInputTokens: 10, OtherOutputTokens: 5, OtherCost: MustDec("0.000123456789")},
		{Model: "m0", Provider: "q", Requests: 1, InputTokens: 7, InputRate: MustDec("0.000000333")},
	}
	for i := range usage {
		u := &usage[i]
		u.Cost = u.InputRate.MulInt(u.InputTokens).Add(u.CachedRate.MulInt(u.CachedTokens)).Add(u.OutputRate.MulInt(u.OutputTokens)).Add(u.OtherCost)
	}
	b := Build(plan, usage, 3)
	kinds := ""
	sum, exact := Zero, Zero
	for _, l := range b.Lines {
		kinds += l.Kind + " "
		sum, exact = sum.Add(l.Amount), exact.Add(l.ExactAmount)
		if l.Kind != "rounding" && l.Quantity.Mul(l.UnitPrice).Cmp(l.ExactAmount) != 0 {
			t.Errorf("line %q: quantity × unit price ≠ exact amount", l.Description)
		}
	}
	if kinds != "input input cached_input output other_prices seats rounding " && kinds != "input input cached_input output other_prices seats " {
		t.Errorf("line kinds %q", kinds)
	}
	if sum.Cmp(b.Total) != 0 || b.Subtotal.Cmp(b.Total) != 0 {
		t.Errorf("lines add up to %s, total %s", sum, b.Total)
	}
	// The exact total: token cost × factor plus seats, computed independently.
	want := usage[0].Cost.Mul(MustDec("1.1")).Add(usage[1].Cost).Add(MustDec("75.015"))
	if exact.Cmp(want) != 0 || b.ExactTotal.Cmp(want) != 0 {
		t.Errorf("exact total %s (lines %s), want %s", b.ExactTotal, exact, want)
	}
	if b.Total.Cmp(want.Round(2)) != 0 || b.RoundingResidue.Cmp(b.Total.Sub(want)) != 0 {
		t.Errorf("total %s residue %s, exact %s", b.Total, b.RoundingResidue, want)
	}
	c := b.Credit()
	if c.Total.Cmp(b.Total.Neg()) != 0 || c.Lines[0].Amount.Cmp(b.Lines[0].Amount.Neg()) != 0 {
		t.Errorf("credit note %s of %s", c.Total, b.Total)
	}
}

func TestRoundingLineAppearsWhenRoundedLinesDoNotAddUp(t *testing.T) {
	// Three lines of 0.004 each: each rounds to 0.00, the total 0.012 to 0.01.
	plan := DefaultPlan()
	var usage []ModelUsage
	for _, m := range []string{"a", "b", "c"} {
		usage = append(usage, ModelUsage{Model: m, InputTokens: 4000, InputRate: MustDec("0.000001"), Cost: MustDec("0.004")})
	}
	b := Build(plan, usage, 0)
	last := b.Lines[len(b.Lines)-1]
	if last.Kind != "rounding" || last.Amount.String() != "0.01" || b.Total.String() != "0.01" || b.RoundingResidue.String() != "-0.002" {
		t.Errorf("last line %+v, total %s, residue %s", last, b.Total, b.RoundingResidue)
	}
}

func TestYenHasNoMinorUnit(t *testing.T) {
	plan, _ := PlanInput{Currency: "JPY", USDRate: "150.5", SeatFee: "1000"}.Plan()
	b := Build(plan, []ModelUsage{{Model: "m", InputTokens: 1_000_000, InputRate: MustDec("0.000001"), Cost: MustDec("1")}}, 1)
	// 150.5 + 1000 = 1150.5, to an even yen: 1150.
	if b.Total.Cmp(DecInt(1150)) != 0 || b.RoundingResidue.String() != "-0.50" {
		t.Errorf("total %s residue %s", b.Total, b.RoundingResidue)
	}
}

// TestTheREADMEsWorkedInvoice is the README's example, line for line.
func TestTheREADMEsWorkedInvoice(t *testing.T) {
	plan, err := PlanInput{SeatFee: "25.00", Adjustments: []AdjustmentInput{{Model: "gpt-4o", Percent: "-10"}}}.Plan()
	if err != nil {
		t.Fatal(err)
	}
	gpt := ModelUsage{Model: "gpt-4o", Provider: "openai", InputTokens: 800_000, CachedTokens: 400_000, OutputTokens: 300_000,
		InputRate: MustDec("0.0000025"), CachedRate: MustDec("0.00000125"), OutputRate: MustDec("0.00001"),
		OtherRequests: 12, OtherCost: MustDec("0.0123456")}
	haiku := ModelUsage{Model: "claude-haiku-4-5", Provider: "anthropic", InputTokens: 900_000, OutputTokens: 150_000,
		InputRate: MustDec("0.000001"), OutputRate: MustDec("0.000005")}
	b := Build(plan, []ModelUsage{gpt, haiku}, 3)
	var got []string
	for _, l := range b.Lines {
		got = append(got, l.Quantity.String()+" × "+l.UnitPrice.String()+" = "+l.Amount.Fixed(2))
	}
	want := []string{"0.90 × 1.00 = 0.90", "0.15 × 5.00 = 0.75", "0.80 × 2.25 = 1.80", "0.40 × 1.125 = 0.45",
		"0.30 × 9.00 = 2.70", "1.00 × 0.01111104 = 0.01", "3.00 × 25.00 = 75.00"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("lines\n got %v\nwant %v", got, want)
	}
	if b.Total.Fixed(2) != "81.61" || b.ExactTotal.String() != "81.61111104" || b.RoundingResidue.String() != "-0.00111104" {
		t.Errorf("total %s exact %s residue %s", b.Total, b.ExactTotal, b.RoundingResidue)
	}
}
