package audit

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aigw/aigw/internal/guard"
)

// Sanitizer masks sensitive data in one string. The audit writer applies it to
// every string of an event's details, recursively, before anything is stored
// or hashed. The guardrail engine (internal/guard) can stand behind this
// interface through a small adapter; DefaultSanitizer is the built-in one.
type Sanitizer interface {
	Sanitize(s string) string
}

// SanitizerFunc adapts a function to Sanitizer.
type SanitizerFunc func(string) string

// Sanitize calls f.
func (f SanitizerFunc) Sanitize(s string) string { return f(s) }

// Placeholders written by DefaultSanitizer.
const (
	MaskSecret  = "[REDACTED_SECRET]"
	MaskKey     = "[REDACTED_KEY]"
	MaskEmail   = "[REDACTED_EMAIL]"
	MaskCard    = "[REDACTED_CARD]"
	MaskSSN     = "[REDACTED_SSN]"
	MaskIBAN    = "[REDACTED_IBAN]"
	MaskAadhaar = "[REDACTED_AADHAAR]"
	MaskPAN     = "[REDACTED_PAN]"
	MaskPhone   = "[REDACTED_PHONE]"
	MaskIPv6    = "[IPv6_MASKED]"
)

// DefaultSanitizer masks, in this order: API keys and tokens (sk-…, AWS,
// GitHub, Slack, JWTs, bearer values, PEM private keys, key=value secrets),
// e-mail addresses, IBANs (mod-97 checked), card numbers (Luhn checked), US
// SSNs, Aadhaar numbers, Indian PANs, IPv6 addresses (wholly), IPv4 addresses
// (last two octets) and phone numbers (10 to 15 digits). It errs on the side
// of masking: a false positive costs an audit reader a digit, a miss leaks PII
// into a store that cannot be edited.
type DefaultSanitizer struct{}

type rule struct {
	re      *regexp.Regexp
	replace func(m string) string
}

func fixed(s string) func(string) string { return func(string) string { return s } }

var (
	secretAssign = regexp.MustCompile(`(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret|private[_-]?key)(\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)`)
	rules        = []rule{
		{regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)`), fixed(MaskSecret)},
		{regexp.MustCompile(`(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}`), fixed("Bearer " + MaskKey)},
		{regexp.MustCompile(`\b(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{20,}|\bxox[abprs]-[A-Za-z0-9-]{10,}|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|\bAIza[0-9A-Za-z_-]{35}`), fixed(MaskKey)},
		{secretAssign, func(m string) string {
			sm := secretAssign.FindStringSubmatch(m)
			return sm[1] + sm[2] + MaskSecret
		}},
		{regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`), fixed(MaskEmail)},
		{regexp.MustCompile(`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b`), func(m string) string {
			if validIBAN(m) {
				return MaskIBAN
			}
			return m
		}},
		{regexp.MustCompile(`\d(?:[ -]?\d){12,}`), func(m string) string {
			if holdsCard(m) {
				return MaskCard
			}
			return m
		}},
		{regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`), fixed(MaskSSN)},
		{regexp.MustCompile(`\b[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}\b`), fixed(MaskAadhaar)},
		{regexp.MustCompile(`\b[A-Z]{3}[ABCFGHLJPT][A-Z]\d{4}[A-Z]\b`), fixed(MaskPAN)},
		{regexp.MustCompile(`(?i)\[?\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%[0-9a-z]+)?\]?|::(?:[0-9a-f]{1,4}:?){1,7}`), func(m string) string {
			if _, err := netip.ParseAddr(strings.Trim(m, "[]")); err == nil && strings.ContainsAny(m, "0123456789abcdefABCDEF") {
				return MaskIPv6
			}
			return m
		}},
		{regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`), func(m string) string { return MaskIP(m) }},
		{regexp.MustCompile(`(?:\+|\b)\d[\d ().-]{8,18}\d\b`), func(m string) string {
			if n := countDigits(m); n >= 10 && n <= 15 {
				return MaskPhone
			}
			return m
		}},
	}
)

// Sanitize masks s. It also makes s storable in jsonb: invalid UTF-8 is
// replaced and NUL characters are dropped.
func (DefaultSanitizer) Sanitize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\x00", "")
	if !mayHold(s) || opaqueID(s) {
		return s
	}
	for _, r := range rules {
		s = r.re.ReplaceAllStringFunc(s, r.replace)
	}
	return engineRedact(s)
}

// auditEngine is the guardrail engine with a policy that redacts every
// personal identifier it knows, so the audit trail masks what the gateway
// screens for (IFSC, UPI, ABA routing, bank accounts in context, ...) beyond
// the patterns above.
var auditEngine = sync.OnceValues(func() (*guard.Engine, *guard.Policy) {
	e, err := guard.NewEngine(guard.Options{})
	if err != nil {
		return nil, nil
	}
	p := &guard.Policy{Name: "audit", Detectors: map[string]guard.DetectorPolicy{}}
	for _, id := range guard.Detectors() {
		if strings.HasPrefix(id, "pii.") {
			p.Detectors[id] = guard.DetectorPolicy{Action: guard.ActionRedact, Threshold: guard.DefaultThreshold,
				Redaction: guard.RedactPlaceholder}
		}
	}
	return e, p
})

func engineRedact(s string) string {
	e, p := auditEngine()
	if e == nil {
		return s
	}
	return e.Apply(s, p, guard.Output).Text
}

// mayHold is a cheap prefilter: every pattern needs three digits, '@', ':',
// '=', a run of four capitals or one of a few key prefixes; plain text and
// paths such as "/v1/chat/completions" skip the regular expressions.
func mayHold(s string) bool {
	digits, upper := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits++; digits >= 3 {
				return true
			}
			upper = 0
		case c == '@', c == ':', c == '=':
			return true
		case c >= 'A' && c <= 'Z':
			if upper++; upper >= 4 {
				return true
			}
		default:
			upper = 0
		}
	}
	for _, p := range [...]string{"sk-", "pk-", "rk-", "xox", "eyJ", "earer", "EARER"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// opaqueID reports whether s is a UUID or a gateway request id
// ("req_" and 24 hex digits): identifiers that hold no personal data and
// whose digit runs must not be mistaken for card or phone numbers.
func opaqueID(s string) bool {
	switch {
	case len(s) == 36:
		for i := 0; i < 36; i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if s[i] != '-' {
					return false
				}
			} else if !isHex(s[i]) {
				return false
			}
		}
		return true
	case len(s) == 28 && s[:4] == "req_":
		for i := 4; i < 28; i++ {
			if !isHex(s[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// MaskIP masks a client address for the audit trail: an IPv4 address keeps
// its first two octets ("203.0.xxx.xxx"), an IPv6 address is masked wholly.
// Anything else is returned unchanged if it holds no address.
func MaskIP(ip string) string {
	a, err := netip.ParseAddr(strings.Trim(ip, "[]"))
	if err != nil {
		return ip
	}
	if a.Is4() || a.Is4In6() {
		b := a.Unmap().As4()
		var out [len("255.255.xxx.xxx")]byte // one allocation: every event has an address
		m := strconv.AppendUint(out[:0], uint64(b[0]), 10)
		m = strconv.AppendUint(append(m, '.'), uint64(b[1]), 10)
		return string(append(m, ".xxx.xxx"...))
	}
	return MaskIPv6
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// holdsCard reports whether any run of 13 to 19 consecutive digits of s (a
// digit run that may hold a card number next to other digits) passes the
// Luhn check.
func holdsCard(s string) bool {
	d := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			d = append(d, s[i])
		}
	}
	for n := 13; n <= 19 && n <= len(d); n++ {
		for i := 0; i+n <= len(d); i++ {
			if guard.Luhn(d[i : i+n]) {
				return true
			}
		}
	}
	return false
}

// validIBAN checks an IBAN's mod-97 checksum (spaces allowed, any length
// from 15 to 34: the sanitizer masks rather than judges the country).
func validIBAN(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	return len(s) >= 15 && len(s) <= 34 && guard.Mod97([]byte(s))
}

// secretKey reports whether a details key names a secret, whose value is then
// masked whatever it looks like.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range [...]string{"password", "passwd", "secret", "token", "api_key", "apikey", "authorization", "credential", "private_key", "cookie"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}
