package guard

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Character classes of the structural pass.
const (
	ccLower uint8 = 1 << iota
	ccUpper
	ccDigit
	ccAt
	ccColon
	ccDash
	ccAlnum = ccLower | ccUpper | ccDigit
)

var charClass [256]uint8

func init() {
	for c := 'a'; c <= 'z'; c++ {
		charClass[c] = ccLower
	}
	for c := 'A'; c <= 'Z'; c++ {
		charClass[c] = ccUpper
	}
	for c := '0'; c <= '9'; c++ {
		charClass[c] = ccDigit
	}
	charClass['@'] = ccAt
	charClass[':'] = ccColon
	charClass['-'] = ccDash
}

func isAlnum(c byte) bool { return charClass[c]&ccAlnum != 0 }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isHex(c byte) bool {
	return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

// structural walks the text once, word by word, and hands digit runs, `@`,
// `:`, `-----BEGIN` and unusual words to their detectors. Plain words cost a
// table lookup per byte.
func (s *scanner) structural() {
	t := s.text
	deva := -1 // the first Devanagari digit
	for i := 0; i < len(t); {
		k := charClass[t[i]]
		switch {
		case k == 0:
			if deva < 0 && t[i] == 0xE0 && isDevaDigit(t, i) {
				deva = i
			}
			i++
		case k&ccAlnum != 0:
			i = s.word(i)
		case k == ccAt:
			i = s.atSign(i)
		case k == ccColon:
			i = s.colon(i)
		default: // '-'
			i = s.dash(i)
		}
	}
	if deva >= 0 && s.depth == 0 {
		s.devanagariDigits(deva)
	}
	s.obfuscatedEmails()
}

// word handles the alphanumeric word starting at i and returns where to go on.
func (s *scanner) word(i int) int {
	t := s.text
	j, m := i, uint8(0)
	for j < len(t) {
		k := charClass[t[j]]
		if k&ccAlnum == 0 {
			break
		}
		m |= k
		j++
	}
	if m == ccDigit {
		return s.numeric(i)
	}
	s.trackSingle(i, j, m)
	if m&ccDigit != 0 {
		if e := s.mixedWord(i, j); e > j {
			return e
		}
	}
	if j-i >= 16 || (j < len(t) && (t[j] == '-' || t[j] == '_' || t[j] == '+' || t[j] == '/' || t[j] == '=')) ||
		(j < len(t) && t[j] == '.' && t[i] == 'e' && strings.HasPrefix(t[i:], "eyJ")) {
		if e := s.longToken(i, j); e > j {
			return e
		}
	}
	return j
}

// trackSingle records runs of one-letter words ("i g n o r e"), a sign of
// letter-spacing obfuscation.
func (s *scanner) trackSingle(i, j int, m uint8) {
	if j-i != 1 || m == ccDigit {
		return
	}
	r := &s.single
	if r.count > 0 && i-r.end <= 2 {
		r.count++
		r.end = j
	} else {
		r.count, r.start, r.end = 1, i, j
	}
	if r.count == 4 {
		s.obf = append(s.obf, span{r.start, r.end})
	} else if r.count > 4 {
		s.obf[len(s.obf)-1].end = j
	}
}

// mixedWord checks a word of letters and digits: PAN, IFSC, IBAN, AWS key
// ids, and leetspeak. It returns the end of what it consumed.
func (s *scanner) mixedWord(i, j int) int {
	t := s.text
	w := t[i:j]
	switch {
	case len(w) == 10 && panShape(w):
		sc := 0.85
		if s.ctx(i, j, 40, 20)&xPAN != 0 {
			sc = 0.99
		}
		s.add(detPAN, i, j, sc, "pan")
		return j
	case len(w) == 11 && ifscShape(w):
		if sc := s.ifscScore(w, i, j); sc > 0 {
			s.add(detIFSC, i, j, sc, "ifsc")
			return j
		}
	case len(w) == 20 && awsKeyShape(w):
		s.add(detConfidential, i, j, 0.95, "secret.aws_access_key")
		return j
	}
	if len(w) >= 4 && isUpper(w[0]) && isUpper(w[1]) && isDigit(w[2]) && isDigit(w[3]) {
		if e := s.iban(i, false); e > 0 {
			return e
		}
	}
	if isLowerAlnum(w) {
		if e := s.lowerIDs(i, j); e > 0 {
			return e
		}
	}
	s.leet(i, j)
	return j
}

func isLowerAlnum(w string) bool {
	for k := 0; k < len(w); k++ {
		if isUpper(w[k]) {
			return false
		}
	}
	return true
}

// lowerIDs accepts PAN, IFSC and IBAN written in lower case, but only next to
// their context words ("pan - bnzpm2501g", "iban: fr14 2004 ...").
func (s *scanner) lowerIDs(i, j int) int {
	w := strings.ToUpper(s.text[i:j])
	c := s.ctx(i, j, 40, 0)
	switch {
	case len(w) == 10 && c&xPAN != 0 && panShape(w):
		s.add(detPAN, i, j, 0.9, "pan")
		return j
	case len(w) == 11 && c&xIFSC != 0 && ifscShape(w):
		s.add(detIFSC, i, j, 0.9, "ifsc")
		return j
	case len(w) >= 4 && c&xIBAN != 0 && isUpper(w[0]) && isUpper(w[1]) && isDigit(w[2]) && isDigit(w[3]):
		return s.iban(i, true)
	}
	return 0
}

func panShape(w string) bool {
	for k := 0; k < 10; k++ {
		c := w[k]
		if (k < 5 || k == 9) && !isUpper(c) || (k >= 5 && k < 9) && !isDigit(c) {
			return false
		}
	}
	// the 4th letter is the holder type; the serial 0001-9999 is never 0000
	return strings.IndexByte(panEntity, w[3]) >= 0 && w[5:9] != "0000"
}

func ifscShape(w string) bool {
	for k := 0; k < 4; k++ {
		if !isUpper(w[k]) {
			return false
		}
	}
	if w[4] != '0' {
		return false
	}
	for k := 5; k < 11; k++ {
		if !isUpper(w[k]) && !isDigit(w[k]) {
			return false
		}
	}
	return true
}

func (s *scanner) ifscScore(w string, i, j int) float64 {
	c := s.ctx(i, j, 40, 20)
	switch {
	case c&xIFSC != 0:
		return 0.99
	case ifscBanks[w[:4]]:
		return 0.9
	}
	digits := 0
	for k := 5; k < 11; k++ {
		if isDigit(w[k]) {
			digits++
		}
	}
	if digits >= 3 && c&xNeg == 0 {
		return 0.6
	}
	return 0
}

func awsKeyShape(w string) bool {
	switch w[:4] {
	case "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA":
	default:
		return false
	}
	for k := 4; k < 20; k++ {
		if !isUpper(w[k]) && !isDigit(w[k]) {
			return false
		}
	}
	return true
}

// leet records a word that reads as leetspeak ("1gn0r3", "4ll", "pr3v10u5"):
// a leet digit between two letters, or a leading one before a letter. Codes
// such as FY2025, mp4 or SBIN0001234 do not qualify. A marker turns on the
// obfuscation pass around it.
func (s *scanner) leet(i, j int) {
	t := s.text
	if j-i > 20 || i < s.b64End {
		return // base64 and hashes, not words
	}
	for k := i; k < j; k++ {
		if !isDigit(t[k]) || compactFold[t[k]] == 0 {
			continue
		}
		before := k > i && !isDigit(t[k-1])
		after := k+1 < j && !isDigit(t[k+1])
		if (before && after) || (k == i && after) {
			s.obf = append(s.obf, span{i, j})
			return
		}
	}
}

// iban checks for an IBAN starting at i, contiguous or in printed groups of
// four. It returns the end of the IBAN or 0.
func (s *scanner) iban(i int, fold bool) int {
	t := s.text
	want := ibanLengths[strings.ToUpper(t[i:i+2])]
	if want == 0 {
		return 0
	}
	var buf [34]byte
	n, j := 0, i
	for j < len(t) && n < want {
		c := t[j]
		switch {
		case isUpper(c) || isDigit(c) || (fold && c >= 'a' && c <= 'z'):
			buf[n] = lowerToUpper(c)
			n++
			j++
		case (c == ' ' || c == '-') && n%4 == 0 && j+1 < len(t) && isAlnum(t[j+1]):
			j++
		default:
			return 0
		}
	}
	if n != want || (j < len(t) && isAlnum(t[j])) || !ibanValid(buf[:n]) {
		return 0
	}
	sc := 0.97
	if s.ctx(i, j, 40, 20)&xIBAN != 0 {
		sc = 0.99
	}
	s.add(detIBAN, i, j, sc, "iban")
	return j
}

func lowerToUpper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// atSign checks the e-mail address or UPI id around the '@' at i.
func (s *scanner) atSign(i int) int {
	t := s.text
	ls := localStart(t, i)
	for ls < i && (t[ls] == '.' || t[ls] == '-' || t[ls] == '+') {
		ls++
	}
	de := domainEnd(t, i+1)
	for de > i+1 && (t[de-1] == '.' || t[de-1] == '-') {
		de--
	}
	if ls == i || de == i+1 || t[i-1] == '.' {
		return i + 1
	}
	if s.urlCredentials(i) {
		return de
	}
	domain := t[i+1 : de]
	if dot := strings.LastIndexByte(domain, '.'); dot > 0 {
		// git@github.com:org/repo is an SSH address, not a mailbox
		scp := de+1 < len(t) && t[de] == ':' && !isDigit(t[de+1])
		if validDomain(domain, dot) && !scp {
			s.add(detEmail, ls, de, 0.95, "email")
		}
		return de
	}
	if i-ls >= 2 && upiHandles[strings.ToLower(domain)] {
		s.add(detUPI, ls, de, 0.95, "upi")
	}
	return de
}

// urlCredentials reports (and records) the password of a URL such as
// postgres://user:password@host when the '@' at i ends one.
func (s *scanner) urlCredentials(i int) bool {
	t := s.text
	k := i - 1
	for k >= 0 && i-k < 256 && t[k] > ' ' && t[k] != '"' && t[k] != '\'' && t[k] != '/' {
		k--
	}
	if k < 2 || t[k] != '/' || t[k-1] != '/' || t[k-2] != ':' {
		return false
	}
	userinfo := t[k+1 : i]
	c := strings.IndexByte(userinfo, ':')
	if c < 0 || c == len(userinfo)-1 {
		return false
	}
	if v := userinfo[c+1:]; plausibleSecret(v, false, false) {
		s.add(detConfidential, k+2+c, i, 0.95, "secret.url_password")
	}
	return true
}

func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// maxLocal bounds the local part read back from an '@' (RFC 5321: 64 octets).
const maxLocal = 64

// localStart returns where the local part that ends at the '@' at i
// begins: ASCII atom characters and, for internationalised addresses
// (RFC 6531), letters, digits and marks of any script.
func localStart(t string, i int) int {
	ls := i
	for ls > 0 && i-ls < maxLocal {
		if c := t[ls-1]; c < utf8.RuneSelf {
			if !isLocalChar(c) {
				break
			}
			ls--
			continue
		}
		r, n := utf8.DecodeLastRuneInString(t[:ls])
		if !intlWordRune(r) {
			break
		}
		ls -= n
	}
	return ls
}

// domainEnd returns where the domain that starts at i ends: ASCII letters,
// digits, dots and hyphens and, for IDNA domains (例え.jp, müller.de,
// उदाहरण.भारत), letters, digits and marks of any script.
func domainEnd(t string, i int) int {
	de := i
	for de < len(t) && de-i < 255 {
		if c := t[de]; c < utf8.RuneSelf {
			if !isAlnum(c) && c != '.' && c != '-' {
				break
			}
			de++
			continue
		}
		r, n := utf8.DecodeRuneInString(t[de:])
		if !intlWordRune(r) {
			break
		}
		de += n
	}
	return de
}

func intlWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

// validDomain checks the domain of an address: no empty label, and a top
// level label of ASCII letters (not a file extension), an A-label
// ("xn--h2brj9c") or letters of another script ("рф", "中国", "भारत").
func validDomain(d string, dot int) bool {
	tld := d[dot+1:]
	if len(tld) < 2 || len(tld) > 63 || strings.Contains(d, "..") || d[0] == '.' || d[0] == '-' {
		return false
	}
	if tld[0] >= utf8.RuneSelf {
		for _, r := range tld {
			if !unicode.IsLetter(r) && !unicode.IsMark(r) {
				return false
			}
		}
		return true
	}
	if len(tld) > 4 && strings.HasPrefix(strings.ToLower(tld), "xn--") {
		for k := 4; k < len(tld); k++ {
			if !isAlnum(tld[k]) && tld[k] != '-' {
				return false
			}
		}
		return true
	}
	if len(tld) > 24 {
		return false
	}
	for k := 0; k < len(tld); k++ {
		if charClass[tld[k]]&(ccLower|ccUpper) == 0 {
			return false
		}
	}
	return !fileExtensions[strings.ToLower(tld)]
}

// fileExtensions are "TLDs" that mean a file name (logo@2x.png), not a domain.
var fileExtensions = map[string]bool{
	"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true,
	"pdf": true, "js": true, "css": true, "ts": true, "py": true, "go": true,
	"txt": true, "csv": true, "json": true, "yaml": true, "yml": true, "html": true,
	"ico": true, "bmp": true, "tiff": true, "mp4": true, "zip": true,
}

// upiHandles are UPI payment-service-provider handles (the part after '@').
var upiHandles = map[string]bool{
	"okaxis": true, "oksbi": true, "okhdfcbank": true, "okicici": true, "ybl": true,
	"ibl": true, "axl": true, "paytm": true, "upi": true, "apl": true, "ptsbi": true,
	"ptyes": true, "pthdfc": true, "ptaxis": true, "icici": true, "sbi": true,
	"hdfcbank": true, "axisbank": true, "kotak": true, "fbl": true, "rbl": true,
	"idfcbank": true, "idfcfirst": true, "yesbank": true, "barodampay": true, "aubank": true,
	"axisb": true, "jupiteraxis": true, "freecharge": true, "airtel": true,
	"airtelpaymentsbank": true, "ikwik": true, "abfspay": true, "waaxis": true,
	"wahdfcbank": true, "wasbi": true, "waicici": true, "pingpay": true, "kmbl": true,
	"indus": true, "federal": true, "postbank": true, "unionbank": true, "pnb": true,
	"cnrb": true, "boi": true, "mahb": true, "allbank": true, "citi": true, "hsbc": true,
	"sc": true, "dbs": true, "equitas": true, "kvb": true, "tjsb": true, "yapl": true,
	"yesbankltd": true, "timecosmos": true, "slice": true, "naviaxis": true,
	"superyes": true, "goaxb": true, "dlb": true, "ezeepay": true, "cbin": true,
}

// colon checks for an IPv6 address around the ':' at i.
func (s *scanner) colon(i int) int {
	t := s.text
	if i == 0 || i+1 >= len(t) || !(isHex(t[i-1]) || t[i-1] == ':') || !(isHex(t[i+1]) || t[i+1] == ':') {
		return i + 1
	}
	ls := i
	for ls > 0 && (isHex(t[ls-1]) || t[ls-1] == ':') {
		ls--
	}
	re := i
	for re < len(t) && (isHex(t[re]) || t[re] == ':' || t[re] == '.') && re-ls < 64 {
		re++
	}
	for re > i && (t[re-1] == '.' || t[re-1] == ':') {
		re--
	}
	if (ls > 0 && (isAlnum(t[ls-1]) || t[ls-1] == '_')) || (re < len(t) && isAlnum(t[re])) {
		return max(re, i+1)
	}
	cand := t[ls:re]
	if strings.Count(cand, ":") < 2 {
		return i + 1
	}
	a, err := netip.ParseAddr(cand)
	if err != nil || !a.Is6() || a.IsUnspecified() || a.IsLoopback() {
		return i + 1
	}
	s.add(detIP, ls, re, 0.95, "ip.v6")
	return max(re, i+1)
}

// dash checks for a PEM private key block at i.
func (s *scanner) dash(i int) int {
	t := s.text
	if !strings.HasPrefix(t[i:], "-----BEGIN ") {
		return i + 1
	}
	he := strings.Index(t[i+11:], "-----")
	if he < 0 || he > 60 || !strings.Contains(t[i+11:i+11+he], "PRIVATE KEY") {
		return i + 5
	}
	end := len(t)
	if k := strings.Index(t[i:], "-----END "); k > 0 {
		end = i + k + 9
		if m := strings.Index(t[end:], "-----"); m >= 0 && m < 60 {
			end += m + 5
		}
	}
	s.add(detConfidential, i, end, 0.99, "secret.private_key")
	return end
}
