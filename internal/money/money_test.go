package money

import "testing"

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    Rate
		wantErr bool
	}{
		{"2.50", 2_500_000, false},
		{"0.075", 75_000, false},
		{"15", 15_000_000, false},
		{".5", 500_000, false},
		{"0.000001", 1, false},
		{"0", 0, false},
		{"", 0, true},
		{"-1", 0, true},
		{"1e3", 0, true},
		{"1.", 0, true},
		{"0.0000001", 0, true},
		{"abc", 0, true},
		{"99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseRate(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseRate(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestRateRoundTrip(t *testing.T) {
	for _, s := range []string{"2.5", "0.075", "15", "0.000001", "0"} {
		r, err := ParseRate(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.PerMillion(); got != s {
			t.Errorf("ParseRate(%q).PerMillion() = %q", s, got)
		}
	}
}

func TestCostIsExact(t *testing.T) {
	// 1,234 tokens at $0.075 per million is $0.00009255 exactly.
	r, _ := ParseRate("0.075")
	c := r.Cost(1234)
	if got, want := c.String(), "0.000092550000"; got != want {
		t.Errorf("cost = %s, want %s", got, want)
	}
	if got, want := c.USD(6), "0.000093"; got != want {
		t.Errorf("USD(6) = %s, want %s", got, want)
	}
	if got := r.Cost(-5); got != 0 {
		t.Errorf("negative tokens cost %d", got)
	}
}

func TestUSDRounding(t *testing.T) {
	tests := []struct {
		p    Pico
		dec  int
		want string
	}{
		{0, 2, "0.00"},
		{5_000_000_000, 2, "0.01"}, // half a cent rounds up
		{4_999_999_999, 2, "0.00"},
		{1_230_000_000_000, 0, "1"},
		{-5_000_000_000, 2, "-0.01"},
		{123, 12, "0.000000000123"},
	}
	for _, tt := range tests {
		if got := tt.p.USD(tt.dec); got != tt.want {
			t.Errorf("Pico(%d).USD(%d) = %q, want %q", tt.p, tt.dec, got, tt.want)
		}
	}
}
