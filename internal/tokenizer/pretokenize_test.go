package tokenizer

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pieces splits text with split.
func pieces(split func(string) int, text string) []string {
	var out []string
	for text != "" {
		end := split(text)
		out = append(out, text[:end])
		text = text[end:]
	}
	return out
}

func TestSplit(t *testing.T) {
	tests := []struct {
		text          string
		cl100k, o200k []string
	}{
		{"hello world", []string{"hello", " world"}, []string{"hello", " world"}},
		// cl100k matches a contraction on its own, before any word; o200k
		// appends it to the word before.
		{"they'll 'sup", []string{"they", "'ll", " '", "sup"}, []string{"they'll", " '", "sup"}},
		{"IT'S", []string{"IT", "'S"}, []string{"IT'S"}},
		// o200k splits words at case changes.
		{"camelCase HTTPServer", []string{"camelCase", " HTTPServer"}, []string{"camel", "Case", " HTTPServer"}},
		{"12345", []string{"123", "45"}, []string{"123", "45"}},
		{"x  y", []string{"x", " ", " y"}, []string{"x", " ", " y"}},
		{"x  ", []string{"x", "  "}, []string{"x", "  "}},
		{"x\n  y", []string{"x", "\n", " ", " y"}, []string{"x", "\n", " ", " y"}},
		{"x \n \n  y", []string{"x", " \n \n", " ", " y"}, []string{"x", " \n \n", " ", " y"}},
		{"a, b!?\n\nc", []string{"a", ",", " b", "!?\n\n", "c"}, []string{"a", ",", " b", "!?\n\n", "c"}},
		{"!\n/x", []string{"!\n", "/x"}, []string{"!\n/", "x"}},
		// A mark is a prefix and part of a word in o200k.
		{"\u0301x \u03011", []string{"\u0301x", " \u0301", "1"}, []string{"\u0301x", " \u0301", "1"}},
		{"日本語。", []string{"日本語", "。"}, []string{"日本語", "。"}},
	}
	for _, tt := range tests {
		checkMatchesTiktoken(t, CL100k, tt.text)
		checkMatchesTiktoken(t, O200k, tt.text)
		if diff := cmp.Diff(tt.cl100k, pieces(splitCL100k, tt.text)); diff != "" {
			t.Errorf("cl100k pieces of %q (-want +got):\n%s", tt.text, diff)
		}
		if diff := cmp.Diff(tt.o200k, pieces(splitO200k, tt.text)); diff != "" {
			t.Errorf("o200k pieces of %q (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestBMPClassesMatchClassify(t *testing.T) {
	for r := range rune(len(bmpClasses)) {
		if got, want := bmpClasses[r], classify(r); got != want {
			t.Errorf("bmpClasses[%U] = %08b, classify says %08b", r, got, want)
		}
	}
}
