package guard

const maxGroups = 12

// numRun is a run of digit groups joined by single separators, such as
// "4111 1111 1111 1111", "+91 98765 43210", "(415) 555-2671" or "10.0.0.1".
type numRun struct {
	start      int // offset of the leading '+' or '(' or first digit
	plus       bool
	paren      bool // first group was "(ddd)"
	n          int
	gs, ge     [maxGroups]int
	sep        [maxGroups]byte // sep[k]: separator before group k
	taintFirst bool            // first group continues an identifier ("ORD-123")
	taintLast  bool            // last group runs into letters ("15T10")
	ctx        uint16          // context words before or after the run
	before     uint16          // context words before the run only
}

// numeric parses the digit run at i, tries every detector on its group
// windows, and returns the end of the run.
func (s *scanner) numeric(i int) int {
	t := s.text
	var r numRun
	end := s.parseRun(&r, i)
	if r.taintLast {
		for end < len(t) && isAlnum(t[end]) {
			end++
		}
	}
	first, last := 0, r.n-1
	if r.taintFirst {
		first = 1
	}
	if r.taintLast {
		last--
	}
	if first > last {
		return end
	}
	r.before = s.ctx(r.start, r.ge[r.n-1], 48, 0)
	r.ctx = r.before | s.ctx(r.start, r.ge[r.n-1], 0, 24)
	if s.ipv4(&r, first, last) {
		return end
	}
	for a := first; a <= last; a++ {
		digits := 0
		for b := a; b <= last; b++ {
			digits += r.ge[b] - r.gs[b]
			if digits > 19 {
				break
			}
			s.window(&r, a, b, digits, a == first && b == last)
		}
	}
	return end
}

func (s *scanner) parseRun(r *numRun, i int) int {
	t := s.text
	r.start = i
	if i > 0 && t[i-1] == '+' && (i < 2 || !isAlnum(t[i-2])) {
		r.plus, r.start = true, i-1
	}
	r.taintFirst = i > 0 && (isAlnum(t[i-1]) ||
		(i > 1 && (t[i-1] == '-' || t[i-1] == '_' || t[i-1] == '.') && isAlnum(t[i-2])))
	if r.taintFirst && !isAlnum(t[i-1]) && s.ctx(i-1, i, 1, 0)&^(xNeg|xVer) != 0 {
		r.taintFirst = false // "Adhaar-4991...", "acct_12345678": a label, not an id prefix
	}
	if colonTriple(t, i) {
		// "2345:6789:0124": the only run read across colons (times and
		// IPv6 addresses are not three groups of four digits)
		for k := 0; k < 3; k++ {
			r.gs[k], r.ge[k], r.sep[k] = i+5*k, i+5*k+4, ':'
		}
		r.sep[0], r.n = 0, 3
		return i + 14
	}
	// "(+65) 6123 4567": the country code in parentheses
	open := i > 0 && t[i-1] == '(' || r.plus && i > 1 && t[i-2] == '('
	j := i
	for {
		gs := j
		for j < len(t) && isDigit(t[j]) {
			j++
		}
		r.gs[r.n], r.ge[r.n] = gs, j
		r.n++
		if r.n == maxGroups || j >= len(t) {
			break
		}
		c := t[j]
		// "(0)" after a country code is the national trunk prefix
		trunk := j-gs == 1 && t[gs] == '0' && r.plus && r.n > 1
		if open && c == ')' && (j-gs >= 2 && j-gs <= 4 || trunk) {
			k := j + 1
			if k < len(t) && (t[k] == ' ' || t[k] == '-') {
				k++
			}
			if k < len(t) && isDigit(t[k]) {
				if r.n == 1 && !r.plus {
					r.paren, r.start = true, i-1
				}
				r.sep[r.n], j, open = ')', k, false
				continue
			}
		}
		if (c == ' ' || c == '-' || c == '.') && j+1 < len(t) && isDigit(t[j+1]) {
			r.sep[r.n] = c
			j++
			continue
		}
		if c == ' ' && j+2 < len(t) && t[j+1] == '(' && isDigit(t[j+2]) {
			r.sep[r.n], j, open = '(', j+2, true
			continue
		}
		break
	}
	r.taintLast = j < len(t) && (isAlnum(t[j]) ||
		((t[j] == '-' || t[j] == '_' || t[j] == '.') && j+1 < len(t) && isAlnum(t[j+1])))
	return j
}

// colonTriple reports whether t[i:] starts with "dddd:dddd:dddd" that no
// digit, letter, colon or dot continues, and no hex digit or colon precedes.
func colonTriple(t string, i int) bool {
	if len(t)-i < 14 || i > 0 && (isHex(t[i-1]) || t[i-1] == ':') {
		return false
	}
	for k := 0; k < 14; k++ {
		if (k == 4 || k == 9) != (t[i+k] == ':') || k != 4 && k != 9 && !isDigit(t[i+k]) {
			return false
		}
	}
	return i+14 == len(t) || !isAlnum(t[i+14]) && t[i+14] != ':' && t[i+14] != '.' || t[i+14] == '.' && (i+15 == len(t) || !isAlnum(t[i+15]))
}

// window tries the detectors on groups a..b.
func (s *scanner) window(r *numRun, a, b, digits int, maximal bool) {
	d := s.dbuf[:0]
	for g := a; g <= b; g++ {
		d = append(d, s.text[r.gs[g]:r.ge[g]]...)
	}
	start, end := r.gs[a], r.ge[b]
	if a == 0 && (r.plus || r.paren) {
		start = r.start
	}
	ng := b - a + 1
	sameSep := true
	for g := a + 2; g <= b; g++ {
		sameSep = sameSep && r.sep[g] == r.sep[a+1]
	}
	if ng > 1 && r.sep[a+1] == '(' || ng > 1 && r.sep[a+1] == ')' {
		sameSep = false
	}
	neg := r.ctx&xNeg != 0
	if digits >= 12 && digits <= 19 {
		s.card(r, d, start, end, ng, a, sameSep, neg)
	}
	switch {
	case digits == 12 && maximal: // 12 digits inside a longer run are not an Aadhaar number
		s.aadhaar(r, d, start, end, ng, a, b, sameSep, neg)
	case digits == 9 && maximal:
		s.ssnABA(r, d, start, end, ng, a, b, sameSep, neg)
	}
	if digits >= 7 && digits <= 15 {
		s.phone(r, d, start, end, a, b, neg)
	}
	if digits >= 8 && digits <= 17 && (maximal || ng == 1) && (ng == 1 || sameSep) {
		s.bank(r, d, start, end, a, b)
	}
}

func groupLens(r *numRun, a, b int, want ...int) bool {
	if b-a+1 != len(want) {
		return false
	}
	for k, w := range want {
		if r.ge[a+k]-r.gs[a+k] != w {
			return false
		}
	}
	return true
}

func (s *scanner) card(r *numRun, d []byte, start, end, ng, a int, sameSep, neg bool) {
	issuer := cardIssuer(d)
	if issuer == "" || !Luhn(d) {
		return
	}
	sc := 0.85
	if ng > 1 {
		first := r.ge[a] - r.gs[a]
		// 4-4-4-4, 4-6-5, 4-5-6, and 6-13 for 19-digit numbers
		if !sameSep || first != 4 && !(first == 6 && ng == 2) || r.sep[a+1] == '.' && ng != 4 {
			return
		}
		sc = 0.9
	}
	switch {
	case r.ctx&xCard != 0:
		sc = 0.99
	case r.before&xBank != 0 && ng == 1:
		sc = 0.7 // "account no. 6314..." is an account that happens to pass Luhn
	case neg && s.closeNeg(r):
		sc = 0.3 // "order #4111-1111-...", "Invoice 4012 8888 ...": an id in a test card's shape
	case neg:
		sc = 0.55
	}
	s.add(detCard, start, end, sc, "card."+issuer)
}

func (s *scanner) aadhaar(r *numRun, d []byte, start, end, ng, a, b int, sameSep, neg bool) {
	if !aadhaarValid(d) {
		return
	}
	sc := 0.55
	if ng > 1 {
		if !groupLens(r, a, b, 4, 4, 4) || !sameSep {
			return
		}
		sc = 0.85
		if r.sep[a+1] == '.' {
			sc = 0.6 // "2345.6789.0124" is less often written
		}
	}
	switch {
	case r.ctx&xAadhaar != 0:
		sc = 0.98
	case r.ctx&(xBank|xPhone|xCard|xIBAN) != 0:
		sc -= 0.2
	case neg && s.closeNeg(r):
		sc -= 0.5
	case neg:
		sc -= 0.35
	}
	s.add(detAadhaar, start, end, sc, "aadhaar")
}

func (s *scanner) ssnABA(r *numRun, d []byte, start, end, ng, a, b int, sameSep, neg bool) {
	// a routing number needs its context word, bare or in printed groups
	// ("0210-0002-1", "021 000 021", "02100-0021")
	grouped := ng > 1 && sameSep && (r.sep[a+1] == ' ' || r.sep[a+1] == '-') &&
		(groupLens(r, a, b, 3, 3, 3) || groupLens(r, a, b, 4, 4, 1) || groupLens(r, a, b, 5, 4) ||
			groupLens(r, a, b, 4, 5))
	if (ng == 1 || grouped) && r.ctx&xABA != 0 && abaValid(d) {
		s.add(detABA, start, end, 0.95, "aba")
	}
	if !ssnValid(d) {
		return
	}
	sc := 0.0
	switch {
	case ng == 3 && groupLens(r, a, b, 3, 2, 4) && sameSep && r.sep[a+1] == '-':
		sc = 0.85
	case ng == 3 && groupLens(r, a, b, 3, 2, 4) && sameSep && (r.sep[a+1] == ' ' || r.sep[a+1] == '.'):
		sc = 0.6
	case ng == 1 && r.ctx&xSSN != 0:
		sc = 0.9
	}
	if sc == 0 {
		return
	}
	if r.ctx&xSSN != 0 {
		sc = 0.99
	} else if neg {
		sc -= 0.35
	}
	s.add(detSSN, start, end, sc, "ssn")
}

// closeNeg reports whether the context word nearest before the run, ending
// at most 16 bytes ahead of it, is an id word ("order #", "Invoice", "ref
// no"): the number is that id. "txn declined pan=4111..." is not one.
func (s *scanner) closeNeg(r *numRun) bool {
	h := s.hits
	lo, hi := 0, len(h)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(h[m].start) < r.start-16-64 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	best, c := -1, uint16(0)
	for j := lo; j < len(h) && int(h[j].start) < r.start; j++ {
		if h[j].pat >= synthFIN {
			continue
		}
		he := int(h[j].end)
		if m := compiled.meta[h[j].pat].ctx; m != 0 && he <= r.start && he >= r.start-16 && he >= best {
			if he > best {
				c = 0
			}
			best, c = he, c|m
		}
	}
	return c&xNeg != 0
}

func (s *scanner) bank(r *numRun, d []byte, start, end, a, b int) {
	// context before the number, or after it when nothing before says "id"
	ok := r.before&xBank != 0 || (r.ctx&xBank != 0 && r.before&xNeg == 0)
	if !ok || allSame(d) || s.isMoney(start, end) || s.closeNeg(r) || isDate(r, d, a, b) {
		return // "loan account closure request id 7788...": the id, not the account
	}
	s.add(detBank, start, end, 0.8, "bank_account")
}

// isMoney reports whether the number at [start,end) is an amount ("Rs
// 25000000", "$ 12,000", "25000000 rupees").
func (s *scanner) isMoney(start, end int) bool {
	t := s.text
	k := start
	for k > 0 && t[k-1] == ' ' {
		k--
	}
	before := t[max(0, k-4):k]
	for _, p := range []string{"$", "₹", "rs", "rs.", "inr", "usd", "eur", "gbp", "€", "£"} {
		if len(before) >= len(p) && equalFold(before[len(before)-len(p):], p) {
			return true
		}
	}
	after := t[end:min(len(t), end+10)]
	for _, p := range []string{" rupees", " lakh", " crore", " dollars", " usd", " inr", "/-"} {
		if len(after) >= len(p) && equalFold(after[:len(p)], p) {
			return true
		}
	}
	return false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// ipv4 reports (and records) a dotted-quad IPv4 address among groups
// first..last: four groups joined by dots, not continued by more dots.
func (s *scanner) ipv4(r *numRun, first, last int) bool {
	found := false
	for a := first; a+3 <= last; a++ {
		if (a > 0 && r.sep[a] == '.') || (a+4 < r.n && r.sep[a+4] == '.') || (a == 0 && (r.plus || r.paren)) {
			continue
		}
		if !s.quad(r, a) {
			continue
		}
		found = true
		sc := 0.85
		switch {
		case r.ctx&xIP != 0:
			sc = 0.95
		case r.ctx&xVer != 0:
			sc = 0.3
		}
		s.add(detIP, r.gs[a], r.ge[a+3], sc, "ip.v4")
	}
	return found
}

// quad checks groups a..a+3 as the octets of a routable-looking address.
func (s *scanner) quad(r *numRun, a int) bool {
	zero := true
	for g := a; g < a+4; g++ {
		if g > a && r.sep[g] != '.' {
			return false
		}
		w := s.text[r.gs[g]:r.ge[g]]
		if len(w) > 3 || (len(w) > 1 && w[0] == '0') {
			return false
		}
		v := 0
		for k := 0; k < len(w); k++ {
			v = v*10 + int(w[k]-'0')
		}
		if v > 255 {
			return false
		}
		zero = zero && v == 0
	}
	return !zero
}
