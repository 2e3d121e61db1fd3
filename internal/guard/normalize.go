package guard

import "unicode/utf8"

// Text is normalised on the fly, one byte of output per input character, before
// it reaches the keyword automaton: ASCII letters are lowercased, digits become
// '0', punctuation that carries no meaning for phrases becomes a space, runs of
// spaces collapse to one, zero-width characters vanish, accented Latin letters
// and Cyrillic/Greek/fullwidth look-alikes fold to ASCII, and Devanagari maps to
// one byte per character (0x80 + offset) so Hindi phrases stay short.

const (
	nbSkip  = 0    // character dropped (zero-width, combining mark)
	nbOther = 0x01 // character that can be part of no phrase
)

// asciiNorm is the normal form of each ASCII byte.
var asciiNorm [128]byte

// wordByte marks normalised bytes that are part of words (letters, digits, Devanagari).
var wordByte [256]bool

func init() {
	for c := 0; c < 128; c++ {
		b := byte(c)
		switch {
		case b >= 'a' && b <= 'z':
			asciiNorm[c] = b
		case b >= 'A' && b <= 'Z':
			asciiNorm[c] = b + 'a' - 'A'
		case b >= '0' && b <= '9':
			asciiNorm[c] = '0'
		case isKeptPunct(b):
			asciiNorm[c] = b
		default:
			asciiNorm[c] = ' '
		}
	}
	for c := 'a'; c <= 'z'; c++ {
		wordByte[c] = true
	}
	wordByte['0'] = true
	for c := 0x80; c < 0x100; c++ {
		wordByte[c] = true
	}
}

// isKeptPunct lists the punctuation that phrases may contain ("a/c", "you're",
// "20%", "[inst]").
func isKeptPunct(b byte) bool {
	switch b {
	case '\'', '-', '/', '%', '@', '<', '>', '[', ']', '#', '&', '$':
		return true
	}
	return false
}

// latin1Fold folds U+00C0..U+00FF; latinAFold folds U+0100..U+017F.
const latin1Fold = "aaaaaaaceeeeiiiidnooooo ouuuuypsaaaaaaaceeeeiiiidnooooo ouuuuypy"
const latinAFold = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllll" +
	"nnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs"

// lookalikes folds Greek and Cyrillic letters that look like Latin ones.
var lookalikes = map[rune]byte{
	// Cyrillic lower case
	'а': 'a', 'в': 'b', 'е': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
	'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ј': 'j', 'ԁ': 'd',
	'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'ё': 'e', 'ї': 'i', 'ɡ': 'g', 'ɑ': 'a',
	// Cyrillic upper case
	'А': 'a', 'В': 'b', 'Е': 'e', 'К': 'k', 'М': 'm', 'Н': 'h', 'О': 'o', 'Р': 'p',
	'С': 'c', 'Т': 't', 'У': 'y', 'Х': 'x', 'Ѕ': 's', 'І': 'i', 'Ј': 'j', 'Ӏ': 'l',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p',
	'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w', 'η': 'n', 'μ': 'u', 'γ': 'y',
	'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm',
	'Ν': 'n', 'Ο': 'o', 'Ρ': 'p', 'Τ': 't', 'Υ': 'y', 'Χ': 'x',
}

// foldRune returns the normalised byte of a non-ASCII rune: nbSkip to drop it,
// an ASCII byte, a Devanagari byte (>= 0x80) or nbOther.
func foldRune(r rune) byte {
	switch {
	case r >= 0xC0 && r <= 0xFF:
		return latin1Fold[r-0xC0]
	case r >= 0x100 && r <= 0x17F:
		return latinAFold[r-0x100]
	case r >= 0x300 && r <= 0x36F: // combining diacritics
		return nbSkip
	case r == 0x93C: // Devanagari nukta: नज़र and नजर are the same word
		return nbSkip
	case r == 0x964 || r == 0x965: // danda
		return ' '
	case r >= 0x966 && r <= 0x96F:
		return '0'
	case r >= 0x900 && r <= 0x97F:
		return byte(0x80 + (r - 0x900))
	case r >= 0xFF01 && r <= 0xFF5E: // fullwidth ASCII
		return asciiNorm[r-0xFF00+0x20]
	case r >= 0x1D400 && r <= 0x1D6A3: // mathematical alphanumerics
		return byte('a' + (r-0x1D400)%52%26)
	}
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
		0xFEFF, 0x00AD, 0x180E, 0x034F:
		return nbSkip
	case 0x00A0, 0x1680, 0x202F, 0x205F, 0x3000, 0x2028, 0x2029, 0x201C, 0x201D, 0x00AB, 0x00BB:
		return ' '
	case 0x2018, 0x2019, 0x02BC, 0x2032, 0x0060, 0x00B4:
		return '\''
	case 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212:
		return '-'
	}
	if r >= 0x2000 && r <= 0x200A || r >= 0xA1 && r <= 0xBF {
		return ' ' // spaces, and Latin-1 punctuation such as ¡ ¿ « »
	}
	if b, ok := lookalikes[r]; ok {
		return b
	}
	return nbOther
}

// isZeroWidth reports whether r is dropped by normalisation as invisible.
func isZeroWidth(r rune) bool {
	return r != utf8.RuneError && r >= 0x80 && foldRune(r) == nbSkip && (r < 0x300 || r > 0x36F) && r != 0x93C
}

// wordAt reports whether the character at text[i] is part of a word (so a
// phrase ending just before it does not end on a word boundary).
func wordAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	c := text[i]
	if c < 0x80 {
		return wordByte[asciiNorm[c]]
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	b := foldRune(r)
	return b != nbSkip && b != nbOther && wordByte[b]
}

// normPattern normalises a phrase the way text is normalised.
func normPattern(s string) string {
	out := make([]byte, 0, len(s))
	prevSpace, afterPunct := true, false
	for _, r := range s {
		var b byte
		if r < 0x80 {
			b = asciiNorm[r]
		} else {
			b = foldRune(r)
		}
		if b == nbSkip {
			continue
		}
		if b == ' ' {
			if prevSpace {
				continue
			}
			prevSpace = true
		} else {
			if afterPunct && wordByte[b] {
				out = append(out, ' ')
			}
			prevSpace = false
		}
		afterPunct = b < 0x80 && !wordByte[b] && b != ' '
		out = append(out, b)
	}
	for len(out) > 0 && out[len(out)-1] == ' ' {
		out = out[:len(out)-1]
	}
	return string(out)
}

// compactFold maps a normalised byte to the alphabet of the obfuscation pass:
// letters only, with leetspeak digits and symbols read as letters and 'l'
// read as 'i' (so "1" and "l" match either). Everything else is dropped (0).
var compactFold [256]byte

func init() {
	for c := 'a'; c <= 'z'; c++ {
		compactFold[c] = byte(c)
	}
	compactFold['l'] = 'i'
	for k, v := range map[byte]byte{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's',
		'7': 't', '8': 'b', '9': 'g', '@': 'a', '$': 's', '!': 'i', '|': 'i'} {
		compactFold[k] = v
	}
}
