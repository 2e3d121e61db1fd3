package guard

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAutomatonMatchesNaiveSearch compares the DFA with a brute-force
// search on random patterns and texts over a tiny alphabet, where overlaps,
// shared prefixes and failure links are frequent.
func TestAutomatonMatchesNaiveSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ab"[r.IntN(2)]
		}
		return string(b)
	}
	for round := 0; round < 300; round++ {
		seen := map[string]bool{}
		var pats []acPattern
		for len(pats) < 1+r.IntN(8) {
			p := word(1 + r.IntN(3))
			if r.IntN(3) == 0 {
				p += " " + word(1+r.IntN(2))
			}
			if !seen[p] {
				seen[p] = true
				pats = append(pats, acPattern{text: p})
			}
		}
		a, err := compile(pats, false)
		if err != nil {
			t.Fatal(err)
		}
		var words []string
		for i := 0; i < 1+r.IntN(12); i++ {
			words = append(words, word(1+r.IntN(3)))
		}
		text := strings.Join(words, " ")
		got, _ := a.scan(text, nil)
		if diff := cmp.Diff(naiveHits(pats, text), sortedHits(got), cmp.AllowUnexported(hit{})); diff != "" {
			t.Fatalf("patterns %v text %q (-naive +dfa):\n%s", pats, text, diff)
		}
	}
}

func naiveHits(pats []acPattern, text string) []hit {
	var out []hit
	for id, p := range pats {
		for i := 0; i+len(p.text) <= len(text); i++ {
			e := i + len(p.text)
			if text[i:e] == p.text && (i == 0 || text[i-1] == ' ') && (e == len(text) || text[e] == ' ') {
				out = append(out, hit{pat: uint16(id), start: int32(i), end: int32(e)})
			}
		}
	}
	return sortedHits(out)
}

func sortedHits(h []hit) []hit {
	out := append([]hit(nil), h...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].start != out[j].start {
			return out[i].start < out[j].start
		}
		if out[i].end != out[j].end {
			return out[i].end < out[j].end
		}
		return out[i].pat < out[j].pat
	})
	return out
}

func TestNormalisationFolds(t *testing.T) {
	for in, want := range map[string]string{
		"IGNORE  Previous":      "ignore previous",
		"ig\u200bnore":          "ignore",
		"Іgnоrе":                "ignore", // Cyrillic look-alikes
		"précédentes":           "precedentes",
		"Ｉｇｎｏｒｅ":                "ignore", // fullwidth
		"you’re":                "you' re",
		"a/c 123":               "a/ c 000",
		"नज़रअंदाज़":            normPattern("नजरअंदाज"),
		"(ignore) the [system]": "ignore the [ system]",
	} {
		if got := normPattern(in); got != want {
			t.Errorf("normPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLexiconCompiles(t *testing.T) {
	if _, err := NewEngine(Options{}); err != nil {
		t.Fatal(err)
	}
	if len(compiled.main.delta) > 8<<20 {
		t.Errorf("transition table has %d entries; keep it cache-friendly", len(compiled.main.delta))
	}
	if _, err := NewEngine(Options{Terms: []string{"ok", "x"}}); err == nil {
		t.Error("short terms accepted")
	}
}
