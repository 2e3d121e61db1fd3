package guard

// phone scores groups a..b (digits d) as a phone number: E.164 with '+',
// Indian mobiles (10 digits from 6-9, optionally 0-prefixed), US formats
// ((415) 555-2671, 415-555-2671, 1-800-555-0199), and any 7-12 digit number
// right after a phone word.
func (s *scanner) phone(r *numRun, d []byte, start, end, a, b int, neg bool) {
	sc, name := s.phoneShape(r, d, a, b)
	hasCtx := r.ctx&xPhone != 0
	switch {
	case sc > 0 && hasCtx:
		sc = max(sc, 0.95)
	case sc == 0 && hasCtx && len(d) >= 7 && len(d) <= 12 && !allSame(d):
		sc, name = 0.85, "phone.context"
	case sc > 0 && neg:
		sc -= 0.35
	}
	if sc > 0 {
		s.add(detPhone, start, end, sc, name)
	}
}

func (s *scanner) phoneShape(r *numRun, d []byte, a, b int) (float64, string) {
	n, ng := len(d), b-a+1
	if a == 0 && r.plus {
		return plusPhone(r, d, ng)
	}
	if a == 0 && r.paren {
		if n == 10 && d[0] >= '2' && d[3] >= '2' {
			return 0.9, "phone.us"
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
	}
	return 0, ""
}

func plusPhone(r *numRun, d []byte, ng int) (float64, string) {
	n := len(d)
	if n < 8 || n > 15 {
		return 0, ""
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
