package jsonwalk

import (
	"unicode/utf16"
	"unicode/utf8"
)

// String returns the text of the JSON string raw (its quotes included) as
// encoding/json decodes it: escapes resolved, invalid UTF-8 replaced by
// U+FFFD. When nothing needs decoding — no escape, no control character,
// valid UTF-8, as nearly every prompt and streamed token — the result is
// raw's own bytes, without a copy. ok is false when raw is not a JSON string.
// It is the one string decoder of the gateway's fast paths.
func String(raw []byte) (text []byte, ok bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	in := raw[1 : len(raw)-1]
	high := false
	for _, c := range in {
		if c < 0x20 || c == '\\' || c == '"' {
			return AppendString(make([]byte, 0, len(in)), raw)
		}
		high = high || c >= utf8.RuneSelf
	}
	if high && !utf8.Valid(in) {
		return AppendString(make([]byte, 0, len(in)+8), raw)
	}
	return in, true
}

// AppendString appends the text of the JSON string raw (quotes included) to
// dst, decoded as encoding/json decodes it; ok is false, and dst returned
// unchanged, when raw is not a JSON string.
func AppendString(dst, raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return dst, false
	}
	start := len(dst)
	in := raw[1 : len(raw)-1]
	for i := 0; i < len(in); {
		switch c := in[i]; {
		case c == '\\':
			var ok bool
			if dst, i, ok = appendEscape(dst, in, i); !ok {
				return dst[:start], false
			}
		case c == '"' || c < 0x20:
			return dst[:start], false
		case c < utf8.RuneSelf:
			j := i + 1
			for j < len(in) && in[j] >= 0x20 && in[j] < utf8.RuneSelf && in[j] != '\\' && in[j] != '"' {
				j++
			}
			dst = append(dst, in[i:j]...)
			i = j
		default:
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, in[i:i+size]...)
			}
			i += size
		}
	}
	return dst, true
}

// appendEscape decodes the escape at in[i] == '\\', returning where the input
// goes on.
func appendEscape(dst, in []byte, i int) ([]byte, int, bool) {
	if i+1 >= len(in) {
		return dst, i, false
	}
	switch e := in[i+1]; e {
	case '"', '\\', '/':
		return append(dst, e), i + 2, true
	case 'b':
		return append(dst, '\b'), i + 2, true
	case 'f':
		return append(dst, '\f'), i + 2, true
	case 'n':
		return append(dst, '\n'), i + 2, true
	case 'r':
		return append(dst, '\r'), i + 2, true
	case 't':
		return append(dst, '\t'), i + 2, true
	case 'u':
		r, ok := Hex4(in, i+2)
		if !ok {
			return dst, i, false
		}
		i += 6
		if utf16.IsSurrogate(r) {
			// A pair decodes to one rune; a lone half is U+FFFD, as in encoding/json.
			if r2, ok := Hex4(in, i+2); ok && i+1 < len(in) && in[i] == '\\' && in[i+1] == 'u' {
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					return utf8.AppendRune(dst, dec), i + 6, true
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(dst, r), i, true
	}
	return dst, i, false
}

// Hex4 reads the four hex digits of a \u escape at in[i:].
func Hex4(in []byte, i int) (rune, bool) {
	if i+4 > len(in) {
		return 0, false
	}
	var r rune
	for _, c := range in[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
