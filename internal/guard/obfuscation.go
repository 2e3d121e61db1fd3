package guard

import (
	"encoding/base64"
	"unicode/utf8"
)

// compactPass re-reads text with spaces and punctuation dropped and
// leetspeak folded ("1 g n 0 r 3" -> "ignore") and runs the injection and
// jailbreak rules over it. It runs only when the structural pass saw
// obfuscation (letter spacing, leetspeak words, zero-width characters), and
// keeps only findings that touch an obfuscated region, since the normal pass
// already covers plain text.
func (s *scanner) compactPass() {
	s.hits2 = s.hits2[:0]
	if s.sawZW {
		s.hits2 = compiled.compact.scanCompact(s.text, 0, s.hits2)
	} else {
		// only the neighbourhood of each obfuscated region
		const reach = 240
		for k := 0; k < len(s.obf); {
			lo, hi := max(0, s.obf[k].start-reach), min(len(s.text), s.obf[k].end+reach)
			for k++; k < len(s.obf) && s.obf[k].start-reach <= hi; k++ {
				hi = min(len(s.text), max(hi, s.obf[k].end+reach))
			}
			s.hits2 = compiled.compact.scanCompact(s.text[lo:hi], lo, s.hits2)
		}
	}
	if len(s.hits2) == 0 {
		return
	}
	sortHits(s.hits2)
	n := len(s.found)
	s.found = evalRules(s.text, s.hits2, compactClasses, s.dir, true, s.found)
	kept := s.found[:n]
	for _, f := range s.found[n:] {
		if s.sawZW || s.touchesObfuscation(f.Start, f.End) {
			f.Detector += ".obfuscated"
			kept = append(kept, f)
		}
	}
	s.found = kept
}

func (s *scanner) touchesObfuscation(start, end int) bool {
	for _, o := range s.obf {
		if o.start < end && start < o.end {
			return true
		}
	}
	return false
}

// decodeBase64 decodes a base64 run and scans the result; findings inside it
// are reported over the whole run.
func (s *scanner) decodeBase64(b span) {
	raw := s.text[b.start:b.end]
	for len(raw) > 0 && raw[len(raw)-1] == '=' {
		raw = raw[:len(raw)-1]
	}
	if len(raw) > 1<<20 {
		return
	}
	enc := base64.RawStdEncoding
	for i := 0; i < len(raw); i++ {
		if raw[i] == '-' || raw[i] == '_' {
			enc = base64.RawURLEncoding
			break
		}
	}
	dec, err := enc.DecodeString(raw)
	if err != nil || !mostlyText(dec) {
		return
	}
	sub := getScanner(s.e, string(dec), s.dir, s.depth+1)
	sub.run()
	for _, f := range sub.found {
		s.found = append(s.found, Finding{Type: f.Type, Start: b.start, End: b.end,
			Score: f.Score, Detector: f.Detector + ".base64"})
	}
	putScanner(sub)
}

// mostlyText reports whether decoded bytes read as text: valid UTF-8, at
// least one space, and under 5% control characters.
func mostlyText(d []byte) bool {
	if len(d) < 12 || !utf8.Valid(d) {
		return false
	}
	spaces, ctrl := 0, 0
	for _, c := range d {
		switch {
		case c == ' ':
			spaces++
		case c < 0x20 && c != '\n' && c != '\r' && c != '\t':
			ctrl++
		}
	}
	return spaces > 0 && ctrl*20 < len(d)
}
