package oai

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aigw/aigw/internal/jsonwalk"
)

// CheckEncoding refuses a body that is not valid UTF-8 or whose strings
// hold a lone surrogate escape ("\ud800" without its pair): encoding/json
// turns both into U+FFFD without a word, so the gateway would screen and
// count a text other than the one a stricter provider refuses (after the
// gateway has spent a call on it). The error names the parameter holding
// the bad bytes when the body is JSON enough to tell. It costs one pass
// over the body, vectorised: utf8.Valid and a search for backslashes.
func CheckEncoding(body []byte) *ParamError {
	if !utf8.Valid(body) {
		at := firstInvalidUTF8(body)
		param := paramAt(body, at)
		return &ParamError{Param: param, Code: CodeEncoding, Message: fmt.Sprintf(
			"Invalid %s: the request body is not valid UTF-8 (byte %d). Send text as UTF-8.", quotedOr(param, "body"), at)}
	}
	for i := 0; i < len(body); {
		k := bytes.IndexByte(body[i:], '\\')
		if k < 0 {
			return nil
		}
		i += k
		if i+1 >= len(body) || body[i+1] != 'u' {
			i += 2 // any other escape, "\\" included
			continue
		}
		r, ok := jsonwalk.Hex4(body, i+2)
		switch {
		case !ok || r < 0xD800 || r > 0xDFFF:
			i += 6
			continue
		case r <= 0xDBFF && i+12 <= len(body) && body[i+6] == '\\' && body[i+7] == 'u':
			if lo, ok := jsonwalk.Hex4(body, i+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				i += 12
				continue
			}
		}
		param := paramAt(body, i)
		return &ParamError{Param: param, Code: CodeEncoding, Message: fmt.Sprintf(
			"Invalid %s: the string holds a lone surrogate escape (\\u%04x at byte %d), which is not a Unicode character.", quotedOr(param, "body"), r, i)}
	}
	return nil
}

func quotedOr(param, whole string) string {
	if param == "" {
		return whole
	}
	return "'" + param + "'"
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// paramAt returns the path of the deepest member or element of the JSON
// document body whose value holds byte off, such as "messages[0].content",
// or "" when off is outside any (or the document cannot be walked).
func paramAt(body []byte, off int) string {
	var path strings.Builder
	at := jsonwalk.SkipSpace(body, 0)
	for at < len(body) {
		next := -1
		switch body[at] {
		case '{':
			jsonwalk.Members(body, at, func(key []byte, v, e int) bool {
				if off >= v && off < e {
					if path.Len() > 0 {
						path.WriteByte('.')
					}
					path.Write(key)
					next = v
					return false
				}
				return true
			})
		case '[':
			i := 0
			jsonwalk.Elements(body, at, func(v, e int) bool {
				if off >= v && off < e {
					fmt.Fprintf(&path, "[%d]", i)
					next = v
					return false
				}
				i++
				return true
			})
		}
		if next < 0 {
			break
		}
		at = next
	}
	return path.String()
}
