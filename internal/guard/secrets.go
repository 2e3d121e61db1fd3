package guard

import "strings"

// keyValues looks behind the keyword hits that introduce a value: passwords
// and API keys ("password: ...", "api_key=..."), short codes ("OTP is 482913",
// "CVV 123"), bearer tokens and "CONFIDENTIAL" markings.
func (s *scanner) keyValues() {
	for idx, h := range s.hits {
		if h.pat >= synthFIN {
			continue
		}
		switch compiled.meta[h.pat].kind {
		case kSecretKey:
			s.secretValue(h)
		case kCodeKey:
			if !s.pinCode(idx) {
				s.shortCode(h)
			}
		case kBearer:
			s.bearer(h)
		case kMarkWeak:
			s.markWeak(h)
		case kSysLabel:
			s.roleLabel(h)
		}
	}
}

// looseKeys may be followed by "is" ("my password is ..."); other keys need
// ':' or '='.
var looseKeys = map[string]bool{"password": true, "passwd": true, "pwd": true,
	"pass word": true, "login password": true, "net banking password": true,
	"netbanking password": true, "login pin": true}

// weakKeys are common words; their values must look random (8+ characters,
// letters and digits).
var weakKeys = map[string]bool{"token": true, "secret": true, "pass": true, "credentials": true}

func (s *scanner) secretValue(h hit) {
	t := s.text
	key := normPattern(compiled.pats[h.pat].text)
	j := int(h.end)
	if j < len(t) && (t[j] == '"' || t[j] == '\'') {
		j++
	}
	j = skipSpaces(t, j, 3)
	loose := false
	switch {
	case j < len(t) && (t[j] == ':' || t[j] == '='):
		j++
		if j < len(t) && (t[j] == '=' || t[j] == '>') {
			j++
		}
	case looseKeys[key] && j+3 <= len(t) && equalFold(t[j:j+2], "is") && t[j+2] == ' ':
		j, loose = j+3, true
	case looseKeys[key] && j > int(h.end):
		// "password S3cure!Pass": a bare value must look generated
		vs, ve := readValue(t, j)
		if strongSecret(t[vs:ve]) {
			s.add(detConfidential, vs, ve, 0.85, "secret.key_value")
		}
		return
	default:
		return
	}
	vs, ve := readValue(t, skipSpaces(t, j, 3))
	v := t[vs:ve]
	if !plausibleSecret(v, loose, weakKeys[key]) {
		return
	}
	s.add(detConfidential, vs, ve, 0.9, "secret.key_value")
}

func skipSpaces(t string, j, limit int) int {
	for k := 0; k < limit && j < len(t) && (t[j] == ' ' || t[j] == '\t'); k++ {
		j++
	}
	return j
}

// readValue reads a quoted or bare value starting at j.
func readValue(t string, j int) (int, int) {
	if j >= len(t) {
		return j, j
	}
	if q := t[j]; q == '"' || q == '\'' || q == '`' {
		e := j + 1
		for e < len(t) && t[e] != q && t[e] != '\n' && e-j < 256 {
			e++
		}
		return j + 1, e
	}
	e := j
	for e < len(t) && e-j < 256 {
		c := t[e]
		if c <= ' ' || c == '"' || c == '\'' || c == ',' || c == ';' || c == '}' || c == ')' ||
			c == '&' || c == '<' || c == ']' {
			break
		}
		e++
	}
	for e > j && t[e-1] == '.' {
		e--
	}
	return j, e
}

var notSecrets = map[string]bool{"required": true, "incorrect": true, "wrong": true,
	"invalid": true, "expired": true, "reset": true, "changed": true, "the": true,
	"your": true, "my": true, "not": true, "too": true, "same": true, "null": true,
	"none": true, "true": true, "false": true, "redacted": true, "hidden": true,
	"masked": true, "empty": true, "undefined": true, "nil": true, "string": true,
	"optional": true, "yes": true, "no": true, "secret": true, "password": true,
	"token": true, "blank": true, "unknown": true, "protected": true, "encrypted": true,
	"pass": true, "passwd": true, "pwd": true, "username": true, "user": true, "example": true,
	"your-password": true, "yourpassword": true, "mypassword": true, "placeholder": true}

func plausibleSecret(v string, loose, weak bool) bool {
	if len(v) < 4 || notSecrets[strings.ToLower(v)] {
		return false
	}
	switch v[0] {
	case '$', '{', '<', '*', '%', '[', '(':
		return false
	case '/', '~':
		if strings.Count(v, "/") > 1 {
			return false // a path ("PWD: /Users/x"), not a secret
		}
	}
	if strings.Trim(strings.ToLower(v), "x*•.#-") == "" {
		return false
	}
	var lower, upper, digit, other bool
	for i := 0; i < len(v); i++ {
		switch k := charClass[v[i]]; {
		case k == ccLower:
			lower = true
		case k == ccUpper:
			upper = true
		case k == ccDigit:
			digit = true
		default:
			other = true
		}
	}
	mixed := digit && (lower || upper) || other && (lower || upper || digit) || lower && upper
	if weak {
		return len(v) >= 8 && mixed
	}
	if loose {
		return mixed
	}
	return true
}

// strongSecret reports whether v has lower and upper case letters and a
// digit or symbol, and 6 or more characters: a password, not a word.
func strongSecret(v string) bool {
	var lower, upper, other bool
	for i := 0; i < len(v); i++ {
		switch charClass[v[i]] {
		case ccLower:
			lower = true
		case ccUpper:
			upper = true
		default:
			other = true
		}
	}
	return len(v) >= 6 && lower && upper && other
}

// pinCode reports whether the PIN hit at idx is part of "pin code" (postal).
func (s *scanner) pinCode(idx int) bool {
	h := s.hits[idx]
	for k := max(0, idx-2); k < len(s.hits) && k <= idx+2; k++ {
		o := s.hits[k]
		if k != idx && o.pat < synthFIN && compiled.meta[o.pat].kind == kPinNeg &&
			o.start <= h.start && o.end >= h.end {
			return true
		}
	}
	return false
}

var unitWords = []string{" min", " sec", " hour", " hr", " day", " attempt", " time", " digit",
	"%", " rupee", " lakh", " second", " month", " year", "/-"}

// spacedCode reads digits at j written with single spaces or dashes between
// them ("6 4 8 2 1 9"), returning the end and the digit count.
func spacedCode(t string, j int) (int, int) {
	e, n := j, 0
	for e < len(t) && isDigit(t[e]) {
		n++
		e++
		if e+1 < len(t) && (t[e] == ' ' || t[e] == '-') && isDigit(t[e+1]) {
			e++
		}
	}
	return e, n
}

// shortCode finds the 3-8 digit code that follows an OTP/PIN/CVV keyword.
func (s *scanner) shortCode(h hit) {
	t := s.text
	limit := min(len(t), int(h.end)+40)
	for j := int(h.end); j < limit; j++ {
		c := t[j]
		if c == '\n' || (c == '.' && j+1 < len(t) && !isDigit(t[j+1])) {
			return
		}
		if !isDigit(c) {
			continue
		}
		e, n := spacedCode(t, j)
		if isAlnum(t[j-1]) || (e < len(t) && isAlnum(t[e])) || s.isMoney(j, e) || followedBy(t, e, unitWords) {
			j = e
			continue
		}
		if n < 3 || n > 8 {
			return
		}
		if s.ctx(j, e, j-int(h.end), 0)&xNeg != 0 {
			return // "OTP request id is 88412": the id, not the code
		}
		s.add(detConfidential, j, e, 0.9, "secret.code")
		return
	}
}

func followedBy(t string, e int, words []string) bool {
	for _, w := range words {
		if len(t)-e >= len(w) && equalFold(t[e:e+len(w)], w) {
			return true
		}
	}
	return false
}

func (s *scanner) bearer(h hit) {
	t := s.text
	j := skipSpaces(t, int(h.end), 3)
	e := j
	for e < len(t) && (isAlnum(t[e]) || strings.IndexByte("._~+/=-", t[e]) >= 0) {
		e++
	}
	if e-j >= 16 {
		s.add(detConfidential, j, e, 0.9, "secret.bearer")
	}
}

// roleLabel reports a forged role label: "SYSTEM:" or "ADMIN:" in capitals,
// or "system message:" / "system prompt:" in any case, followed by a colon.
func (s *scanner) roleLabel(h hit) {
	t := s.text
	j := skipSpaces(t, int(h.end), 2)
	if j >= len(t) || t[j] != ':' {
		return
	}
	w := t[h.start:h.end]
	if strings.IndexByte(w, ' ') < 0 && strings.ToUpper(w) != w {
		return
	}
	s.add(detInjection, int(h.start), j+1, 0.85, "injection.role_label")
}

// markWeak treats "confidential" as a marking only in capitals or as a label
// ("Confidential:", "[Confidential]").
func (s *scanner) markWeak(h hit) {
	t := s.text
	w := t[h.start:h.end]
	sc := 0.0
	switch {
	case w == "CONFIDENTIAL":
		sc = 0.85
	case int(h.end) < len(t) && t[h.end] == ':':
		sc = 0.8
	case h.start > 0 && (t[h.start-1] == '[' || t[h.start-1] == '(' || t[h.start-1] == '*'):
		sc = 0.8
	}
	s.add(detConfidential, int(h.start), int(h.end), sc, "confidential.marking")
}

// secretPrefixes are API key formats with a fixed prefix and a minimum length
// of the rest.
var secretPrefixes = []struct {
	prefix string
	min    int
	name   string
}{
	{"sk-ant-", 20, "secret.anthropic_key"}, {"sk-proj-", 20, "secret.openai_key"},
	{"sk-", 20, "secret.openai_key"}, {"sk_live_", 16, "secret.stripe_key"},
	{"sk_test_", 16, "secret.stripe_key"}, {"rk_live_", 16, "secret.stripe_key"},
	{"ghp_", 30, "secret.github_token"}, {"gho_", 30, "secret.github_token"},
	{"ghu_", 30, "secret.github_token"}, {"ghs_", 30, "secret.github_token"},
	{"ghr_", 30, "secret.github_token"}, {"github_pat_", 40, "secret.github_token"},
	{"glpat-", 20, "secret.gitlab_token"}, {"xoxb-", 10, "secret.slack_token"},
	{"xoxp-", 10, "secret.slack_token"}, {"xoxa-", 10, "secret.slack_token"},
	{"xoxs-", 10, "secret.slack_token"}, {"AIza", 35, "secret.google_api_key"},
	{"hf_", 30, "secret.huggingface_token"}, {"npm_", 30, "secret.npm_token"},
}

// longToken checks a token starting at i (word end j) for API key prefixes,
// JWTs and base64 runs. It returns the end of a secret it found, or j.
func (s *scanner) longToken(i, j int) int {
	t := s.text
	e := i
	for e < len(t) && (isAlnum(t[e]) || t[e] == '-' || t[e] == '_') {
		e++
	}
	tok := t[i:e]
	for _, p := range secretPrefixes {
		if p.prefix[0] != tok[0] {
			continue
		}
		if strings.HasPrefix(tok, p.prefix) && len(tok)-len(p.prefix) >= p.min && hasDigit(tok) {
			s.add(detConfidential, i, e, 0.95, p.name)
			return e
		}
	}
	if strings.HasPrefix(tok, "eyJ") {
		if je := jwtEnd(t, i); je > 0 {
			s.add(detConfidential, i, je, 0.9, "secret.jwt")
			return je
		}
	}
	if i >= s.b64End {
		k := i
		for k < len(t) && (isAlnum(t[k]) || t[k] == '+' || t[k] == '/' || t[k] == '-' || t[k] == '_') {
			k++
		}
		for k < len(t) && t[k] == '=' {
			k++
		}
		if k-i >= 24 {
			s.b64 = append(s.b64, span{i, k})
			s.b64End = k
		}
	}
	return j
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

// jwtEnd returns the end of a JWT (three base64url segments) at i, or 0.
func jwtEnd(t string, i int) int {
	e, segs, segStart := i, 1, i
	for e < len(t) {
		c := t[e]
		if isAlnum(c) || c == '-' || c == '_' {
			e++
			continue
		}
		if c == '.' && e-segStart >= 8 && segs < 3 {
			segs++
			e++
			segStart = e
			continue
		}
		break
	}
	if segs == 3 && e-segStart >= 8 {
		return e
	}
	return 0
}
