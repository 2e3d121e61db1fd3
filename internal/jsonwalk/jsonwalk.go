// Package jsonwalk walks JSON bytes without decoding them: it finds where
// values, object members and array elements lie, so that a hot path can read
// or splice the one field it needs (a streamed token, a usage object) where a
// full decode would cost more than everything else it does. Callers fall back
// to encoding/json when a walk fails.
package jsonwalk

import "bytes"

// Members calls fn with each key of the JSON object at data[at] and the span
// [v,e) of its value, until fn returns false. It reports whether the object
// was well formed, without escaped keys, and fn never refused. Callers match
// keys with KeyIs, case-insensitively as encoding/json (and so Go clients)
// does: a "Content" key must not carry text past the screen.
func Members(data []byte, at int, fn func(key []byte, v, e int) bool) bool {
	i := SkipSpace(data, at+1)
	if i < len(data) && data[i] == '}' {
		return true
	}
	for i < len(data) && data[i] == '"' {
		k := ValueEnd(data, i)
		if k < 0 {
			return false
		}
		key := data[i+1 : k-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false // an escaped key: only a decoder reads it right
		}
		v := SkipSpace(data, k)
		if v >= len(data) || data[v] != ':' {
			return false
		}
		v = SkipSpace(data, v+1)
		e := ValueEnd(data, v)
		if e <= v || !fn(key, v, e) {
			return false
		}
		i = SkipSpace(data, e)
		if i < len(data) && data[i] == '}' {
			return true
		}
		if i >= len(data) || data[i] != ',' {
			return false
		}
		i = SkipSpace(data, i+1)
	}
	return false
}

// KeyIs reports whether key names the field name, as encoding/json matches it.
func KeyIs(key []byte, name string) bool { return bytes.EqualFold(key, []byte(name)) }

// IsSpace reports whether b is only JSON whitespace.
func IsSpace(b []byte) bool { return SkipSpace(b, 0) == len(b) }

// SkipSpace returns the first index from i that is not JSON whitespace.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// ValueEnd returns the end of the JSON value starting at i, or -1 when a
// string, object or array is not closed. Literals and numbers are not
// checked: they end at the next delimiter.
func ValueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := ValueEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && !isSpace(b[j]) {
		j++
	}
	return j
}

// stringEnd returns the end of the JSON string starting at b[i] == '"', or
// -1. It jumps from quote to quote (bytes.IndexByte is vectorised): a quote
// after an odd run of backslashes is escaped.
func stringEnd(b []byte, i int) int {
	for j := i + 1; ; j++ {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		backslashes := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return j + 1
		}
	}
}

// Elements calls fn with the span of each value of the JSON array at
// data[at], until fn returns false; it reports whether the array was well
// formed and fn never refused.
func Elements(data []byte, at int, fn func(v, e int) bool) bool {
	i := SkipSpace(data, at+1)
	if i < len(data) && data[i] == ']' {
		return true
	}
	for i < len(data) {
		e := ValueEnd(data, i)
		if e <= i || !fn(i, e) {
			return false
		}
		i = SkipSpace(data, e)
		if i < len(data) && data[i] == ']' {
			return true
		}
		if i >= len(data) || data[i] != ',' {
			return false
		}
		i = SkipSpace(data, i+1)
	}
	return false
}
