package guard

import "strings"

// Addresses written to dodge scrapers ("jane.doe [at] example [dot] com",
// "jane(at)example(dot)co(dot)in") are e-mail addresses too. The text is
// searched for the closing bracket of "[at]" or "(at)" only (a vectorised
// byte search: brackets are rare, unlike the letter a).

// obfuscatedEmails records every address around a bracketed "at".
func (s *scanner) obfuscatedEmails() {
	t := s.text
	for _, closing := range [...]byte{']', ')'} {
		open := byte('[')
		if closing == ')' {
			open = '('
		}
		for from := 0; from < len(t); {
			k := strings.IndexByte(t[from:], closing)
			if k < 0 {
				break
			}
			k += from
			from = k + 1
			if k >= 3 && t[k-3] == open && lowerASCII(t[k-2]) == 'a' && lowerASCII(t[k-1]) == 't' {
				s.obfuscatedEmail(k-3, k+1)
			}
		}
	}
}

// obfuscatedEmail checks the address whose "[at]" spans t[at:end].
func (s *scanner) obfuscatedEmail(at, end int) {
	t := s.text
	le := at
	if le > 0 && t[le-1] == ' ' {
		le--
	}
	ls := localStart(t, le)
	for ls < le && (t[ls] == '.' || t[ls] == '-' || t[ls] == '+') {
		ls++
	}
	if ls == le {
		return
	}
	var domain strings.Builder
	j, labels, lastEnd := end, 0, 0
	for more := true; more && labels < 8; {
		if j < len(t) && t[j] == ' ' {
			j++
		}
		e := domainLabelEnd(t, j)
		if e == j {
			break
		}
		if labels > 0 {
			domain.WriteByte('.')
		}
		domain.WriteString(t[j:e])
		labels, lastEnd = labels+1, e
		j, more = domainSep(t, e)
	}
	d := domain.String()
	if dot := strings.LastIndexByte(d, '.'); labels < 2 || dot <= 0 || !validDomain(d, dot) {
		return
	}
	s.add(detEmail, ls, lastEnd, 0.9, "email.obfuscated")
}

// domainSep reads the separator after a label at i: '.', "[dot]" or
// "(dot)", a space around it allowed. It returns where the next label
// starts, and false when no separator follows.
func domainSep(t string, i int) (int, bool) {
	k := i
	if k < len(t) && t[k] == ' ' {
		k++
	}
	switch {
	case k+1 < len(t) && t[k] == '.' && isAlnum(t[k+1]):
		return k + 1, true
	case len(t)-k >= 5 && (t[k] == '[' || t[k] == '(') && equalFold(t[k+1:k+4], "dot") && (t[k+4] == ']' || t[k+4] == ')'):
		return k + 5, true
	}
	return i, false
}

// domainLabelEnd returns the end of the domain label (letters, digits,
// hyphens, of any script) at i.
func domainLabelEnd(t string, i int) int {
	e := domainEnd(t, i)
	if k := strings.IndexByte(t[i:e], '.'); k >= 0 {
		e = i + k
	}
	return e
}
