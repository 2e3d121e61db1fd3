package guard

// phone scores groups a..b (digits d) as a phone number: E.164 with '+'
// (also "+44 (0)20 ..." and "(+65) ..."), Indian mobiles (10 digits from
// 6-9, optionally 0-prefixed), US formats ((415) 555-2671, 415-555-2671,
// 1-800-555-0199), national numbers with the trunk prefix 0 in printed groups
// (UK 020 7946 0958, France 06 12 34 56 78, Germany 030 12345678, UAE
// 050 123 4567, ...), and any 7-12 digit run near a phone word that is
// not a time range ("0900-1800"), a date or a decimal ("0.000000001").
// Amounts are never phone numbers.
func (s *scanner) phone(r *numRun, d []byte, start, end, a, b int, neg bool) {
	sc, name := s.phoneShape(r, d, a, b)
	hasCtx := r.ctx&xPhone != 0
	switch {
	case sc > 0 && hasCtx:
		sc = max(sc, 0.95)
	case sc == 0 && hasCtx && len(d) >= 7 && len(d) <= 12 && !allSame(d) && wholeRun(r, a, b) &&
		!timeRange(r, d, a, b) && !isDate(r, d, a, b) && !decimal(r, a, b):
		sc, name = 0.85, "phone.context"
	case sc > 0 && neg && s.closeNeg(r):
		sc -= 0.5 // "Reference: 0044 2071 2345", "Ticket 9876543210": the id itself
	case sc > 0 && neg:
		sc -= 0.35
	}
	if sc > 0 && !s.isMoney(start, end) { // "Rs 9876543210", "9876543210 INR"
		s.add(detPhone, start, end, sc, name)
	}
}

func (s *scanner) phoneShape(r *numRun, d []byte, a, b int) (float64, string) {
	n, ng := len(d), b-a+1
	if a == 0 && r.plus {
		return plusPhone(r, d, ng)
	}
	if a == 0 && r.paren {
		switch {
		case n == 10 && d[0] >= '2' && d[3] >= '2':
			return 0.9, "phone.us"
		case n >= 9 && n <= 12 && d[0] == '0' && d[1] != '0' && r.ge[0]-r.gs[0] <= 5:
			return 0.8, "phone.national" // "(020) 7946 0958"
		}
		return 0, ""
	}
	switch {
	case n == 10 && ng == 1 && d[0] >= '6':
		return 0.6, "phone.in"
	case n == 10 && d[0] >= '6' && (groupLens(r, a, b, 5, 5) || groupLens(r, a, b, 3, 3, 4) ||
		groupLens(r, a, b, 4, 3, 3)):
		return 0.8, "phone.in"
	case n == 10 && groupLens(r, a, b, 3, 3, 4) && d[0] >= '2' && d[3] >= '2' && r.sep[a+1] == r.sep[a+2]:
		return 0.8, "phone.us"
	case n == 11 && d[0] == '1' && groupLens(r, a, b, 1, 3, 3, 4) && d[1] >= '2':
		return 0.85, "phone.us"
	case n == 11 && d[0] == '0' && d[1] >= '6' && (ng == 1 || groupLens(r, a, b, 1, 5, 5) ||
		groupLens(r, a, b, 5, 6)):
		return 0.7, "phone.in"
	case n == 11 && d[0] == '1' && d[1] == '8' && (d[2] == '0' && d[3] == '0' || d[2] == '6' && d[3] == '0') &&
		(ng == 1 || groupLens(r, a, b, 4, 3, 4)) && (ng == 1 || r.sep[a+1] == r.sep[a+2]):
		return 0.75, "phone.in" // toll-free 1800-123-4567, 1860 ...
	case nationalShape(r, d, a, b):
		return 0.75, "phone.national"
	case n >= 10 && d[0] == '0' && d[1] == '0' && d[2] != '0' && ng >= 2 && a == 0 && b == r.n-1 &&
		r.ge[a]-r.gs[a] <= 5 && sameSeps(r, a, b):
		return 0.85, "phone.intl" // "0044 20 7946 0958": the international prefix 00
	}
	return 0, ""
}

// nationalShape reports a national number with the trunk prefix 0 printed
// in groups joined by one kind of separator: 9 to 12 digits, a first group
// of 2 to 5 digits ("020", "06", "0151", "07700"), the others 2 to 8.
func nationalShape(r *numRun, d []byte, a, b int) bool {
	n, ng := len(d), b-a+1
	if a != 0 || b != r.n-1 {
		return false // the whole run, not groups inside "04 11 23 35 41 49"
	}
	if n < 9 || n > 12 || d[0] != '0' || d[1] == '0' || ng < 2 || ng > 5 || groupLens(r, a, b, 3, 2, 4) {
		return false // 3-2-4 is an SSN's shape
	}
	sep := r.sep[a+1]
	if sep != ' ' && sep != '-' && sep != '.' {
		return false
	}
	// nine digits only as 0X XXX XXXX (UAE landlines): "021 000 021" is not one
	if first := r.ge[a] - r.gs[a]; first < 2 || first > 5 || n == 9 && first != 2 {
		return false
	}
	for g := a + 1; g <= b; g++ {
		if l := r.ge[g] - r.gs[g]; r.sep[g] != sep || l < 2 || l > 8 {
			return false
		}
	}
	return true
}

// sameSeps reports whether groups a..b are joined by one kind of space,
// dash or dot.
func sameSeps(r *numRun, a, b int) bool {
	sep := r.sep[a+1]
	if sep != ' ' && sep != '-' && sep != '.' {
		return false
	}
	for g := a + 2; g <= b; g++ {
		if r.sep[g] != sep {
			return false
		}
	}
	return true
}

// wholeRun reports whether groups a..b are the whole run but for groups
// that continue an identifier: "0.000000001" is not read as "000000001".
func wholeRun(r *numRun, a, b int) bool {
	first, last := 0, r.n-1
	if r.taintFirst {
		first = 1
	}
	if r.taintLast {
		last--
	}
	return a == first && b == last
}

// decimal reports "0.000000001", "12.5000000": two groups joined by a dot,
// the first of at most three digits.
func decimal(r *numRun, a, b int) bool {
	return b == a+1 && r.sep[b] == '.' && r.ge[a]-r.gs[a] <= 3
}

// isDate reports a date of three groups: 2016-11-21, 21.11.2016, 11/21/2016.
func isDate(r *numRun, d []byte, a, b int) bool {
	switch {
	case groupLens(r, a, b, 4, 2, 2):
		return prefixIn(d, 4, 1900, 2099) && prefixIn(d[4:], 2, 1, 12) && prefixIn(d[6:], 2, 1, 31)
	case groupLens(r, a, b, 2, 2, 4):
		return prefixIn(d[4:], 4, 1900, 2099) && prefixIn(d, 2, 1, 31) && prefixIn(d[2:], 2, 1, 31) &&
			(prefixIn(d, 2, 1, 12) || prefixIn(d[2:], 2, 1, 12))
	}
	return false
}

// timeRange reports "0900-1800": two groups of four digits, each a time of day.
func timeRange(r *numRun, d []byte, a, b int) bool {
	if !groupLens(r, a, b, 4, 4) || r.sep[a+1] != '-' {
		return false
	}
	return prefixIn(d, 2, 0, 24) && prefixIn(d[2:], 2, 0, 59) && prefixIn(d[4:], 2, 0, 24) && prefixIn(d[6:], 2, 0, 59)
}

func plusPhone(r *numRun, d []byte, ng int) (float64, string) {
	n := len(d)
	if n < 8 || n > 15 || d[0] == '0' {
		return 0, "" // no country code starts with 0 ("m=+0.000000001")
	}
	cc := ""
	if ng > 1 && r.ge[0]-r.gs[0] <= 3 {
		cc = string(d[:r.ge[0]-r.gs[0]])
	} else if ng == 1 {
		switch {
		case n == 12 && d[0] == '9' && d[1] == '1':
			cc = "91"
		case n == 11 && d[0] == '1':
			cc = "1"
		}
	}
	switch cc {
	case "91":
		if n == 12 && d[2] >= '2' {
			return 0.92, "phone.in"
		}
		return 0, ""
	case "1":
		if n == 11 && d[1] >= '2' && d[4] >= '2' {
			return 0.92, "phone.us"
		}
		return 0, ""
	}
	return 0.88, "phone.intl"
}
