package tokenizer

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pkoukk/tiktoken-go"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// tiktoken-go is the reference implementation: our encoder must give the
// same tokens as its EncodeOrdinary for every input.

var loadOracles = sync.OnceValue(func() map[Encoding]*tiktoken.Tiktoken {
	tiktoken.SetBpeLoader(tiktokenloader.NewOfflineLoader())
	m := make(map[Encoding]*tiktoken.Tiktoken)
	for _, e := range []Encoding{O200k, CL100k} {
		enc, err := tiktoken.GetEncoding(string(e))
		if err != nil {
			panic(err)
		}
		m[e] = enc
	}
	return m
})

// loadOracleRanks returns the ranks of e as tiktoken-go loads them.
func loadOracleRanks(e Encoding) (map[string]int, error) {
	return tiktokenloader.NewOfflineLoader().LoadTiktokenBpe(string(e) + ".tiktoken")
}

func oracle(t testing.TB, e Encoding) *tiktoken.Tiktoken {
	t.Helper()
	return loadOracles()[e]
}

func mustEncoder(t testing.TB, e Encoding) *bpe {
	t.Helper()
	enc, err := encoder(e)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// encode returns the tokens of text as count counts them.
func encode(b *bpe, text string) []int {
	text = validUTF8(text)
	var tokens []int
	for text != "" {
		end := b.split(text)
		piece := text[:end]
		text = text[end:]
		if r := b.ranks.rank(piece); r != noRank {
			tokens = append(tokens, int(r))
			continue
		}
		parts := b.ranks.merge(piece, nil)
		if len(piece) >= longPiece {
			parts = new(longMerge).merge(b.ranks, piece)
		}
		for i := range len(parts) - 1 {
			tokens = append(tokens, int(b.ranks.rank(piece[parts[i].start:parts[i+1].start])))
		}
	}
	return tokens
}

// checkMatchesTiktoken fails t unless b encodes text as tiktoken-go does,
// and counts as many tokens.
func checkMatchesTiktoken(t *testing.T, e Encoding, text string) {
	t.Helper()
	want := oracle(t, e).EncodeOrdinary(text)
	if diff := cmp.Diff(want, encode(mustEncoder(t, e), text), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s tokens of %q differ from tiktoken-go's (-want +got):\n%s", e, text, diff)
	}
	if got := mustEncoder(t, e).count(text); got != len(want) {
		t.Errorf("%s count of %q = %d, tiktoken-go's %d", e, text, got, len(want))
	}
}

// corpus exercises every alternative of both patterns and the merge.
var corpus = []string{
	"", "hello world", "Hello, World!", "tiktoken is great!", "<|endoftext|>", "<|fim_prefix|>x<|endofprompt|>",
	// contractions, in every case, and look-alikes
	"I'm sure they'll say it's fine, we've done what we'd do, you're right, don't", "I'M SURE THEY'LL SAY IT'S FINE, WE'VE DONE",
	"'s 't 're 've 'm 'll 'd 'S 'T 'RE 'rE 'Re 'VE 'M 'LL 'lL 'D", "'sup 'the 'x '' 'r 'l", "rock'n'roll o'clock O'Neil L'Oréal",
	"camelCaseWord PascalCase HTTPServer iPhone XMLHttpRequest ÀÉÎõü ÉCOLE naïve façade",
	// numbers
	"1 12 123 1234 12345 1234567890", "3.14159 -42 +7 1,000,000 1e-9 0x1F 0b1010 ½ ⅔ Ⅻ ٣٤٥ १२३ ١٢٣٤", "v1.2.3-rc.4+build.5",
	// whitespace: runs, tabs, newlines, Windows line ends, Unicode spaces
	"a  b   c    d", "  leading", "trailing  ", "   ", " ", "\n", "\r\n", "\r\n\r\n", "a\r\nb\r\n\r\nc", "line1\nline2\n\n\nline3",
	"\t\tindented\n\t\t\tmore", " \n \n ", "x \n y", "x\n  \n  y", "tab\t\tend\t", "\u00a0nbsp\u00a0\u00a0x", "\u3000ideographic\u2003em\u2028ls\u2029ps",
	"\v\f mixed \x85 nel", "\n  x", "\n\t\tx", "\n \n  x", "word \r\n\t next", "?\n/path\r\n//", "a /b\n/c", "!!\n\n//x",
	// code and markup
	"func main() {\n\tfmt.Println(\"hi\")\n}\n", "if (a != b && c <= d) { return x->y; } // done", "<div class=\"x\">&amp;</div>",
	`{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"n":1,"ok":true,"x":null}`, "SELECT * FROM t WHERE id = 42;",
	"#!/bin/sh\nset -eu\necho \"$HOME\" | grep -q '^/root' && exit 0\n", "https://example.com/a/b?c=d&e=f#g", "user@example.com",
	// scripts
	"Überweisung von 1.234,56 EUR an IBAN DE89 3704 0044 0532 0130 00", "Здравствуйте! Как дела? ЗАГЛАВНЫЕ буквы",
	"您好，我上个月的账单金额比平时高了很多。", "いつもお世話になっております。カタカナ", "한국어 텍스트입니다", "नमस्ते, आप कैसे हैं? क्षत्रिय",
	"مرحباً، كيف حالك؟", "שלום עולם", "ไทยภาษา", "Ελληνικά ΚΕΦΑΛΑΙΑ", "e\u0301 \u0301x a\u0300\u0301b \u0301\u0301 1\u0301 'e\u0301 ΑΒ\u0301γ",
	"ǅungla ǈ ǋ ᾈ", "ʰʲ ˢᵗ ꜰ ſtraße ß ẞ", "\u212a\u212b kelvin", "İstanbul ıi",
	// emoji and symbols
	"👋🏽 👨‍👩‍👧‍👦 🇩🇪 ❤️ ✔︎ 😀😃😄", "€ £ ¥ © ® ™ § ¶ † ‡ • … ‰ ′ ″ ← → ↔ ∀ ∃ ∑ √ ∞ ≠ ≤ ≥", "(((((nested)))))", "----------", "=====\n=====",
	"\x00\x01\x02\x1f\x7f", "\ufeffbom", "\ufffd replacement \ufffd\ufffd",
	// invalid UTF-8
	"\xff", "\xc3", "ab\x80cd", "\xed\xa0\x80 surrogate", "caf\xe9 na\xefve", "\xf0\x9f\x98 truncated emoji", "\x80\x80\x80\x80", " \xfehello",
	// long runs
	strings.Repeat("a", 1000), strings.Repeat("ab", 300), strings.Repeat(" ", 500) + "x", strings.Repeat("1", 100),
	strings.Repeat("!?", 200), strings.Repeat("\n", 50), strings.Repeat("\r\n", 50) + "x", strings.Repeat("漢字", 100),
	"Pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism Donaudampfschifffahrtsgesellschaftskapitän",
	"aGVsbG8gd29ybGQgdGhpcyBpcyBhIGxvbmcgYmFzZTY0IHN0cmluZyB0byB0b2tlbml6ZQ==",
}

func testTexts(t *testing.T) []string {
	t.Helper()
	texts := slices.Clone(corpus)
	for _, name := range []string{"english-1k.txt", "mixed-4k.txt"} {
		texts = append(texts, readTestdata(t, name))
	}
	return texts
}

func TestEncodingMatchesTiktoken(t *testing.T) {
	for _, e := range []Encoding{O200k, CL100k} {
		t.Run(string(e), func(t *testing.T) {
			for _, text := range testTexts(t) {
				checkMatchesTiktoken(t, e, text)
			}
		})
	}
}

// alphabet has a rune or two of every class the patterns tell apart, and
// the ASCII that contractions and the punctuation alternative look for.
var alphabet = []rune("aAzZsStTrReEvVmMlLdD'’ \t\n\r\v\u00a0\u2003\u3000\u0085" +
	"ǅᾈ" + "ʰˢ" + "ªº漢字かカ한" + "ßяΩ" + "\u0301\u0300\u093f\u0903\u20dd" + "09٣Ⅻ½" +
	".,!?/\\-_(){}<>\"#@€©" + "\ufffd😀🇩" + "\x00\x7f")

func TestRandomTextsMatchTiktoken(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		text := make([]rune, 1+rng.IntN(24))
		for i := range text {
			text[i] = alphabet[rng.IntN(len(alphabet))]
		}
		for _, e := range []Encoding{O200k, CL100k} {
			checkMatchesTiktoken(t, e, string(text))
		}
		if t.Failed() {
			return
		}
	}
}

func FuzzO200kMatchesTiktoken(f *testing.F)  { fuzzMatchesTiktoken(f, O200k) }
func FuzzCL100kMatchesTiktoken(f *testing.F) { fuzzMatchesTiktoken(f, CL100k) }

// maxFuzzLen bounds fuzz inputs: tiktoken-go is slow on long ones, which
// made the fuzzer spend its time minimising them. The corpus has the long
// runs.
const maxFuzzLen = 256

func fuzzMatchesTiktoken(f *testing.F, e Encoding) {
	for _, text := range corpus {
		if len(text) <= maxFuzzLen {
			f.Add(text)
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkMatchesTiktoken(t, e, text[:min(len(text), maxFuzzLen)])
	})
}
