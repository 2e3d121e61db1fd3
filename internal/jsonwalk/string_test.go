package jsonwalk

import (
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		raw, want string
		ok        bool
	}{
		{`"plain text"`, "plain text", true},
		{`"héllo wörld"`, "héllo wörld", true},
		{`"line\nbreak \"quoted\" back\\slash \/ \t"`, "line\nbreak \"quoted\" back\\slash / \t", true},
		{`"\u00e9\u4e2d\ud83d\ude00"`, "é中😀", true},
		{`"lone \ud83d half"`, "lone \uFFFD half", true},
		{`"bad utf8 ` + "\xff" + `"`, "bad utf8 \uFFFD", true},
		{`""`, "", true},
		{`"unterminated`, "", false},
		{`"bad \x escape"`, "", false},
		{`"short \u12"`, "", false},
		{"\"raw\ncontrol\"", "", false},
		{`null`, "", false},
		{`"a"b"`, "", false},
	} {
		got, ok := String([]byte(tc.raw))
		if ok != tc.ok || ok && string(got) != tc.want {
			t.Errorf("String(%s) = %q, %v; want %q, %v", tc.raw, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStringPlainIsNotCopied(t *testing.T) {
	raw := []byte(`"Hello, wörld"`)
	got, _ := String(raw)
	if &got[0] != &raw[1] {
		t.Error("a string without escapes was copied")
	}
	if n := testing.AllocsPerRun(100, func() { String(raw) }); n != 0 {
		t.Errorf("String allocates %v times for a plain string", n)
	}
}

// FuzzString checks String against encoding/json: same verdict, same text.
func FuzzString(f *testing.F) {
	for _, s := range []string{`"x"`, `"a\"b\\c\u00e9\ud83d\ude00"`, `"\ud800\u0041"`, "\"\xed\xa0\x80\"", `"\/\b\f"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var want string
		wantErr := json.Unmarshal([]byte(raw), &want)
		// String reads a value's span, as the walk finds it: without the
		// whitespace around it that encoding/json skips.
		b := []byte(raw)
		b = b[SkipSpace(b, 0):]
		for len(b) > 0 && isSpace(b[len(b)-1]) {
			b = b[:len(b)-1]
		}
		got, ok := String(b)
		if (wantErr == nil) != ok {
			t.Fatalf("String(%q) ok = %v, encoding/json err = %v", raw, ok, wantErr)
		}
		if ok && string(got) != want {
			t.Fatalf("String(%q) = %q, encoding/json %q", raw, got, want)
		}
	})
}
