package tokenizer

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLongMergeMatchesMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, e := range []Encoding{O200k, CL100k} {
		ranks := mustEncoder(t, e).ranks
		var m longMerge // reused, as from the pool
		for i := range 300 {
			piece := randomPiece(rng, ranks, longPiece+rng.IntN(2000))
			want := ranks.merge(piece, nil)
			if diff := cmp.Diff(want, m.merge(ranks, piece), cmp.AllowUnexported(part{})); diff != "" {
				t.Fatalf("%s, piece %d %q: longMerge differs from merge (-want +got):\n%s", e, i, piece, diff)
			}
		}
	}
}

// randomPiece returns about n bytes that merge in many steps: tokens glued
// together, some repeated, and runs of one byte.
func randomPiece(rng *rand.Rand, ranks *rankTable, n int) string {
	var b strings.Builder
	for b.Len() < n {
		tok := ranks.token(uint32(rng.IntN(len(ranks.offs) - 1)))
		switch rng.IntN(4) {
		case 0:
			b.WriteString(strings.Repeat(tok, 1+rng.IntN(8)))
		case 1:
			b.WriteString(strings.Repeat(tok[:1], 1+rng.IntN(64)))
		default:
			b.WriteString(tok)
		}
	}
	return b.String()
}

func TestRankTableHasEveryTokenOfTheLoader(t *testing.T) {
	for _, e := range []Encoding{O200k, CL100k} {
		ranks := mustEncoder(t, e).ranks
		want, err := loadOracleRanks(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(ranks.offs) - 1; got != len(want) {
			t.Errorf("%s: %d tokens, loader has %d", e, got, len(want))
		}
		for tok, r := range want {
			if got := ranks.rank(tok); got != uint32(r) {
				t.Fatalf("%s: rank(%q) = %d, loader says %d", e, tok, got, r)
			}
		}
		for _, s := range []string{"", "\xff\xfe\xfd\xfc", " the quick brown fox jumps", strings.Repeat("a", 300)} {
			if got := ranks.rank(s); got != noRank {
				t.Errorf("%s: rank(%q) = %d, want none", e, s, got)
			}
		}
	}
}

func TestParseRanksRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name, data string
	}{
		{"no rank", "YQ==\n"},
		{"bad rank", "YQ== x\n"},
		{"rank out of sequence", "YQ== 0\nYg== 2\n"},
		{"bad base64", "YQ== 0\n!!!! 1\n"},
		{"duplicate token", "YQ== 0\nYQ== 1\n"},
		{"duplicate pair", "YWI= 0\nYWI= 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseRanks([]byte(tt.data)); err == nil {
				t.Errorf("parseRanks(%q) succeeded", tt.data)
			}
		})
	}
}

func TestParseRanks(t *testing.T) {
	ranks, err := parseRanks([]byte("YQ== 0\nYg== 1\nYWI= 2\nYWJj 3\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[string]uint32{"a": 0, "b": 1, "ab": 2, "abc": 3, "c": noRank, "ba": noRank, "abcd": noRank} {
		if got := ranks.rank(s); got != want {
			t.Errorf("rank(%q) = %d, want %d", s, got, want)
		}
	}
	if got := len(ranks.merge("abab", nil)) - 1; got != 2 {
		t.Errorf("abab merges into %d tokens, want 2 (ab ab)", got)
	}
}
