package oai

import (
	"encoding/json"
	"testing"
)

func TestPlainString(t *testing.T) {
	for raw, want := range map[string]bool{
		`"Summarise the statement"`: true, `"é ✓"`: true, `""`: true,
		`"a\"b"`: false, `"tab\there"`: false, "\"ctl\x01\"": false, "\"bad \xff\"": false,
		`"unterminated`: false, `null`: false, `"`: false,
	} {
		if _, ok := PlainString([]byte(raw)); ok != want {
			t.Errorf("PlainString(%q) ok = %v, want %v", raw, ok, want)
		}
	}
}

// FuzzPlainString checks that what PlainString takes as it stands is what
// encoding/json decodes.
func FuzzPlainString(f *testing.F) {
	f.Add(`"hello"`)
	f.Add(`"a\u0041"`)
	f.Fuzz(func(t *testing.T, raw string) {
		plain, ok := PlainString([]byte(raw))
		if !ok {
			return
		}
		var s string
		if err := json.Unmarshal([]byte(raw), &s); err != nil || s != string(plain) {
			t.Fatalf("PlainString(%q) = %q, encoding/json %q (%v)", raw, plain, s, err)
		}
	})
}
