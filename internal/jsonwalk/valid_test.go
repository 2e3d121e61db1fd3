package jsonwalk

import (
	"encoding/json"
	"strings"
	"testing"
)

var validSeeds = []string{
	``, ` `, `{}`, `[]`, ` {"a" : [1, -2.5e+3, true, false, null, "s\"\\\/\b\f\n\r\t\u00e9"]} `,
	`{"a":1,}`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{,}`, `{"a":1 "b":2}`, `{1:2}`, `["a" "b"]`,
	`01`, `-`, `-0`, `-01`, `1.`, `1.e3`, `.5`, `1e`, `1e+`, `1E-7`, `0.0e0`, `+1`, `1x`, `NaN`,
	`tru`, `truex`, `nul`, `null null`, `"abc`, `"a\x"`, `"\u12"`, `"\u12G4"`, `"\uABCDx"`, "\"a\x01\"",
	"\"\xff\xfe\"", "\"\t\"", `"\`, `{"a":"b"}}`, `[[[]]]`, `[[[]]`, `{"a":{"b":{"c":[{}]}}}`, "\n\t\r[\n1\n]\n",
	`{"model":"gpt-4o","max_tokens":18,"stream":false,"messages":[{"role":"user","content":"hi"}]}`,
}

func TestValidMatchesEncodingJSON(t *testing.T) {
	for _, s := range validSeeds {
		if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("Valid(%q) = %v, encoding/json says %v", s, got, want)
		}
	}
	// encoding/json allows 10,000 nested objects and arrays, not one more.
	for _, n := range []int{maxDepth - 1, maxDepth, maxDepth + 1} {
		for _, open := range []string{"[", `{"k":`} {
			closeTok := "]"
			if open != "[" {
				closeTok = "}"
			}
			for _, inner := range []string{"1", "[]", "{}"} {
				s := strings.Repeat(open, n-1) + inner + strings.Repeat(closeTok, n-1)
				if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
					t.Errorf("depth %d of %s around %s: Valid %v, encoding/json %v", n, open, inner, got, want)
				}
			}
		}
	}
}

// FuzzValid checks Valid against encoding/json's Valid.
func FuzzValid(f *testing.F) {
	for _, s := range validSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", s, got, want)
		}
	})
}

func BenchmarkValid(b *testing.B) {
	body := []byte(`{"model":"gpt-4o","max_tokens":18,"stream":false,"messages":[{"role":"system","content":"You are a helpful banking assistant."},{"role":"user","content":"Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged. Keep the tone neutral and do not give investment advice. Mention whether the account fell below its minimum balance."}]}`)
	b.Run("jsonwalk", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			Valid(body)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			json.Valid(body)
		}
	})
}
