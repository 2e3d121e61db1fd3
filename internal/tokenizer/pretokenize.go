package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// The pretokenizers split text into the pieces that BPE then merges one at a
// time. Each is a hand-written scanner equivalent to its encoding's regular
// expression as tiktoken-go runs it, with the backtracking engine
// dlclark/regexp2: the alternatives are tried in order and the first that
// matches wins, not the longest; a greedy loop gives back one rune at a time
// until the rest of its alternative matches. Every scanner returns the length
// in bytes of the first piece of a non-empty s, which is always at least one
// rune: any rune is a letter, a number, a space or "punctuation" (none of
// these), and each kind starts some alternative.

// splitCL100k returns the length of the first piece of s under cl100k_base's
// pattern:
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//	 ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
func splitCL100k(s string) int {
	if n := contraction(s, 0); n > 0 {
		return n
	}
	c, n := classAt(s, 0)
	if c&cLetter != 0 {
		return span(s, 0, cLetter)
	}
	if isPrefix(c) {
		if c1, _ := classAt(s, n); c1&cLetter != 0 {
			return span(s, n, cLetter)
		}
	}
	if c&cNumber != 0 {
		return numbers(s)
	}
	if end := punctuation(s, "\r\n"); end > 0 {
		return end
	}
	return spaces(s)
}

// splitO200k returns the length of the first piece of s under o200k_base's
// pattern, which splits words at upper-case letters and keeps contractions
// on their word:
//
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//	\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// The optional prefix is tried with and then without its rune before the
// next alternative: a mark is both a prefix and part of a word, so both can
// matter.
func splitO200k(s string) int {
	c, n := classAt(s, 0)
	for _, word := range [...]func(string, int) int{lowerWord, upperWord} {
		if isPrefix(c) {
			if end := word(s, n); end > 0 {
				return end
			}
		}
		if end := word(s, 0); end > 0 {
			return end
		}
	}
	if c&cNumber != 0 {
		return numbers(s)
	}
	if end := punctuation(s, "\r\n/"); end > 0 {
		return end
	}
	return spaces(s)
}

// lowerWord matches o200k's U*W+C? at s[i:], where U and W are its upper-
// and lower-case classes and C a contraction, and returns the end of the
// match, or 0 if there is none.
func lowerWord(s string, i int) int {
	// W+ starts where the greedy U* can give back to: the rune after the U
	// run if it is in W, else the last rune in the run that is in W too.
	start := -1
	for {
		c, n := classAt(s, i)
		if c&cLower != 0 {
			start = i
		}
		if n == 0 || c&cUpper == 0 {
			break
		}
		i += n
	}
	if start < 0 {
		return 0
	}
	end := span(s, start, cLower)
	return end + contraction(s, end)
}

// upperWord matches o200k's U+W*C? at s[i:], as lowerWord does U*W+C?.
func upperWord(s string, i int) int {
	end := span(s, i, cUpper)
	if end == i {
		return 0
	}
	end = span(s, end, cLower)
	return end + contraction(s, end)
}

// contraction returns the length of the (?i:'s|'t|'re|'ve|'m|'ll|'d) at
// s[i:], or 0. Folding ASCII case is enough: no other rune lower-cases to
// one of these letters.
func contraction(s string, i int) int {
	if i+1 >= len(s) || s[i] != '\'' {
		return 0
	}
	switch s[i+1] | 0x20 {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v':
		if i+2 < len(s) && s[i+2]|0x20 == 'e' {
			return 3
		}
	case 'l':
		if i+2 < len(s) && s[i+2]|0x20 == 'l' {
			return 3
		}
	}
	return 0
}

// numbers matches \p{N}{1,3} at the start of s, which must be a number.
func numbers(s string) int {
	end := 0
	for range 3 {
		c, n := classAt(s, end)
		if c&cNumber == 0 {
			break
		}
		end += n
	}
	return end
}

// punctuation matches ` ?[^\s\p{L}\p{N}]+[trailing]*` at the start of s and
// returns its end, or 0. trailing holds ASCII bytes only.
func punctuation(s, trailing string) int {
	i := 0
	if s[0] == ' ' {
		i = 1
	}
	if c, n := classAt(s, i); n == 0 || !isPunct(c) {
		return 0 // without the space, s starts with a space: no match either
	}
	for {
		c, n := classAt(s, i)
		if n == 0 || !isPunct(c) {
			break
		}
		i += n
	}
	for i < len(s) && containsByte(trailing, s[i]) {
		i++
	}
	return i
}

// spaces matches \s*[\r\n]+|\s+(?!\S)|\s+ at the start of s, which must be
// a space.
func spaces(s string) int {
	end, lastStart, newlineEnd := 0, 0, 0
	for end < len(s) {
		c, n := classAt(s, end)
		if c&cSpace == 0 {
			break
		}
		if c&cNewline != 0 {
			newlineEnd = end + n
		}
		lastStart = end
		end += n
	}
	switch {
	case newlineEnd > 0:
		// \s* gives back runes until [\r\n]+ matches: at the last newline.
		return newlineEnd
	case end == len(s) || lastStart == 0:
		return end
	default:
		// (?!\S) fails before a non-space: give its last space to the next
		// piece, which will start with it.
		return lastStart
	}
}

// span returns the end of the run of runes from s[i:] whose classes share a
// bit with want.
func span(s string, i int, want class) int {
	for {
		c, n := classAt(s, i)
		if n == 0 || c&want == 0 {
			return i
		}
		i += n
	}
}

func containsByte(s string, b byte) bool {
	for i := range len(s) {
		if s[i] == b {
			return true
		}
	}
	return false
}

// class is the set of pattern character classes a rune belongs to.
type class uint8

const (
	cLetter  class = 1 << iota // \p{L}
	cUpper                     // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], o200k's upper case
	cLower                     // [\p{Ll}\p{Lm}\p{Lo}\p{M}], o200k's lower case
	cNumber                    // \p{N}
	cSpace                     // \s, which regexp2 implements as unicode.IsSpace
	cNewline                   // \r or \n
)

// isPrefix reports whether a rune of class c is in [^\r\n\p{L}\p{N}].
func isPrefix(c class) bool { return c&(cNewline|cLetter|cNumber) == 0 }

// isPunct reports whether a rune of class c is in [^\s\p{L}\p{N}].
func isPunct(c class) bool { return c&(cSpace|cLetter|cNumber) == 0 }

// classAt returns the class of the rune starting at s[i] and its size in
// bytes, or a size of 0 at the end of s. An invalid byte is a rune of its
// own, U+FFFD, as it is to regexp2.
func classAt(s string, i int) (class, int) {
	if i >= len(s) {
		return 0, 0
	}
	if b := s[i]; b < utf8.RuneSelf {
		return bmpClasses[b], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r < 1<<16 {
		return bmpClasses[r], n
	}
	return classify(r), n
}

// bmpClasses holds the class of every rune of the Basic Multilingual Plane,
// where nearly all text is: classify's searches of the Unicode tables made
// up a third of the time to count text that is not English.
var bmpClasses = buildBMPClasses()

// buildBMPClasses fills the table from the Unicode range tables, which is
// some twenty times faster than calling classify for every rune.
func buildBMPClasses() *[1 << 16]class {
	t := new([1 << 16]class)
	for _, c := range []struct {
		table *unicode.RangeTable
		class class
	}{
		{unicode.Lu, cLetter | cUpper},
		{unicode.Lt, cLetter | cUpper},
		{unicode.Ll, cLetter | cLower},
		{unicode.Lm, cLetter | cUpper | cLower},
		{unicode.Lo, cLetter | cUpper | cLower},
		{unicode.M, cUpper | cLower},
		{unicode.N, cNumber},
		{unicode.White_Space, cSpace},
	} {
		for _, r := range c.table.R16 {
			for x := int(r.Lo); x <= int(r.Hi); x += int(r.Stride) {
				t[x] |= c.class
			}
		}
		for _, r := range c.table.R32 {
			for x := int(r.Lo); x <= int(r.Hi) && x < len(t); x += int(r.Stride) {
				t[x] |= c.class
			}
		}
	}
	t['\r'] |= cNewline
	t['\n'] |= cNewline
	return t
}

// classify computes the class of r from the Unicode tables as regexp2 does,
// one category at a time. General categories are disjoint and no letter,
// mark or number is a space.
func classify(r rune) class {
	switch {
	case unicode.IsLetter(r):
		switch {
		case unicode.IsUpper(r) || unicode.IsTitle(r):
			return cLetter | cUpper
		case unicode.IsLower(r):
			return cLetter | cLower
		}
		return cLetter | cUpper | cLower // Lm, Lo
	case unicode.IsMark(r):
		return cUpper | cLower
	case unicode.IsNumber(r):
		return cNumber
	case r == '\r' || r == '\n':
		return cSpace | cNewline
	case unicode.IsSpace(r):
		return cSpace
	}
	return 0
}
