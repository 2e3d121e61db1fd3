package guard

import "unicode/utf8"

// Numbers written in Devanagari digits (०-९, U+0966-U+096F: "मेरा मोबाइल
// नंबर ९८७६५४३२१०") are read again with ASCII digits: each run, with the
// words before it that give its context, is transliterated and scanned by a
// scanner of its own, and the PII it finds is mapped back to the original
// bytes. Text without such digits costs one byte comparison more per
// non-ASCII byte.

// isDevaDigit reports whether t[i:] starts with a Devanagari digit.
func isDevaDigit(t string, i int) bool {
	return i+2 < len(t) && t[i] == 0xE0 && t[i+1] == 0xA5 && t[i+2] >= 0xA6 && t[i+2] <= 0xAF
}

// Bytes of context read before and after a run of Devanagari digits.
const devaBefore, devaAfter = 64, 32

// devanagariDigits rescans the runs of Devanagari digits from first on.
func (s *scanner) devanagariDigits(first int) {
	t := s.text
	for i := first; i < len(t); {
		if !isDevaDigit(t, i) {
			i++
			continue
		}
		end := i
		for end < len(t) {
			switch {
			case isDevaDigit(t, end):
				end += 3
			case isDigit(t[end]) || t[end] == ' ' || t[end] == '-' || t[end] == '.' || t[end] == ':' ||
				t[end] == '+' || t[end] == '(' || t[end] == ')':
				end++
			default:
				goto done
			}
		}
	done:
		lo, hi := max(0, i-devaBefore), min(len(t), end+devaAfter)
		for lo > 0 && !utf8.RuneStart(t[lo]) {
			lo--
		}
		for hi < len(t) && !utf8.RuneStart(t[hi]) {
			hi++
		}
		s.devaWindow(lo, hi)
		i = end
	}
}

// devaWindow scans t[lo:hi] with its Devanagari digits made ASCII.
func (s *scanner) devaWindow(lo, hi int) {
	t := s.text
	out := make([]byte, 0, hi-lo)
	at := make([]int, 0, hi-lo+1) // at[k]: offset in t of out[k]
	for k := lo; k < hi; {
		if isDevaDigit(t, k) {
			out = append(out, '0'+t[k+2]-0xA6)
			at = append(at, k)
			k += 3
			continue
		}
		out = append(out, t[k])
		at = append(at, k)
		k++
	}
	at = append(at, hi)
	sub := getScanner(s.e, string(out), s.dir, s.depth+1)
	sub.run()
	for _, f := range sub.found {
		d, ok := detByID(f.Type)
		start, end := at[f.Start], at[f.End]
		if !ok || !d.isPII() || end-start == f.End-f.Start {
			continue // not PII, or no Devanagari digit in it: the main pass has it
		}
		s.found = append(s.found, Finding{Type: f.Type, Start: start, End: end, Score: f.Score,
			Detector: f.Detector + ".devanagari"})
	}
	putScanner(sub)
}
