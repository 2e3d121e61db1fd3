package apikey

import (
	"strings"
	"testing"
)

func TestGenerateIsWellFormedAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		k, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if !WellFormed(k) {
			t.Fatalf("Generate() = %q is not well formed", k)
		}
		if seen[k] {
			t.Fatalf("Generate() repeated %q", k)
		}
		seen[k] = true
	}
}

func TestWellFormed(t *testing.T) {
	good, _ := Generate()
	tests := map[string]bool{
		good:                        true,
		"":                          false,
		"sk-aigw-":                  false,
		good[:len(good)-1]:          false,
		good + "x":                  false,
		"sk-live-" + good[8:]:       false,
		good[:20] + "!" + good[21:]: false,
	}
	for k, want := range tests {
		if got := WellFormed(k); got != want {
			t.Errorf("WellFormed(%q) = %v, want %v", k, got, want)
		}
	}
}

func TestDisplayNeverShowsTheSecretPart(t *testing.T) {
	k, _ := Generate()
	d := Display(k)
	if len(d) != DisplayLen || !strings.HasPrefix(k, d) {
		t.Fatalf("Display(%q) = %q", k, d)
	}
	if strings.Contains(d, k[DisplayLen:DisplayLen+8]) {
		t.Fatalf("display prefix contains secret characters")
	}
}

func TestSumDiffers(t *testing.T) {
	a, _ := Generate()
	b, _ := Generate()
	if Sum(a) == Sum(b) {
		t.Fatal("distinct keys hash the same")
	}
	if Sum(a) != Sum(a) {
		t.Fatal("hash not deterministic")
	}
}

func BenchmarkSum(b *testing.B) {
	k, _ := Generate()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Sum(k)
	}
}
