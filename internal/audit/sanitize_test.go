package audit

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultSanitizer(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "chat completion served", "chat completion served"},
		{"email", "contact jane.doe+x@bank.example.co.uk now", "contact " + MaskEmail + " now"},
		{"card", "card 4111 1111 1111 1111 used", "card " + MaskCard + " used"},
		{"card dashes", "4111-1111-1111-1111", MaskCard},
		{"not luhn", "order 1234567890123457", "order 1234567890123457"},
		{"ssn", "ssn 123-45-6789", "ssn " + MaskSSN},
		{"iban", "IBAN GB82 WEST 1234 5698 7654 32 ok", "IBAN " + MaskIBAN + " ok"},
		{"iban compact", "DE89370400440532013000", MaskIBAN},
		{"aadhaar", "aadhaar 2345 6789 0123", "aadhaar " + MaskAadhaar},
		{"pan", "PAN ABCPE1234F", "PAN " + MaskPAN},
		{"phone", "call +1 (415) 555-2671", "call " + MaskPhone},
		{"phone india", "mobile 9876543210", "mobile " + MaskPhone},
		{"aigw key", "key sk-aigw-AbCdEf0123456789xyz leaked", "key " + MaskKey + " leaked"},
		{"openai key", "sk-proj-abcdefghijklmnop", MaskKey},
		{"aws key", "AKIAIOSFODNN7EXAMPLE", MaskKey},
		{"bearer", "Authorization: Bearer abc.def.ghi-123456", "Authorization: Bearer " + MaskKey},
		{"assignment", "password=hunter2 user=bob", "password=" + MaskSecret + " user=bob"},
		{"quoted secret", `client_secret: "s3 cr3t"`, "client_secret: " + MaskSecret},
		{"ipv4", "from 203.0.113.77", "from 203.0.xxx.xxx"},
		{"ipv6", "from 2001:db8::8a2e:370:7334 ok", "from " + MaskIPv6 + " ok"},
		{"ipv6 bracketed", "[fe80::1]", MaskIPv6},
		{"time is not ipv6", "at 12:30:45", "at 12:30:45"},
		{"uuid kept", "12345678-1234-1234-1234-123456789012", "12345678-1234-1234-1234-123456789012"},
		{"request id kept", "req_411111111111111100000000", "req_411111111111111100000000"},
		{"nul and bad utf8", "a\x00b\xff", "ab\uFFFD"},
		{"pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", MaskSecret},
	}
	var s DefaultSanitizer
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSanitizeValueRecursive(t *testing.T) {
	in := map[string]any{
		"user":     map[string]any{"email": "a@b.example", "phones": []any{"+44 20 7946 0958"}},
		"password": "hunter2",
		"headers":  map[string]string{"Authorization": "Bearer sk-aigw-xyzxyzxyzxyz"},
		"count":    3,
		"ratio":    0.5,
		"ok":       true,
		"tags":     []string{"ssn 123-45-6789"},
	}
	got := SanitizeValue(DefaultSanitizer{}, in)
	want := map[string]any{
		"user":     map[string]any{"email": MaskEmail, "phones": []any{MaskPhone}},
		"password": MaskSecret,
		"headers":  map[string]any{"Authorization": MaskSecret},
		"count":    int64(3),
		"ratio":    "0.5",
		"ok":       true,
		"tags":     []any{"ssn " + MaskSSN},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestMaskIP(t *testing.T) {
	for in, want := range map[string]string{
		"192.168.10.20": "192.168.xxx.xxx", "::ffff:10.1.2.3": "10.1.xxx.xxx", "2001:db8::1": MaskIPv6,
		"[2001:db8::1]": MaskIPv6, "": "", "unknown": "unknown",
	} {
		if got := MaskIP(in); got != want {
			t.Errorf("MaskIP(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSanitize checks that a card number and an e-mail address placed in any
// text never survive, and that the output is storable (valid UTF-8, no NUL).
func FuzzSanitize(f *testing.F) {
	f.Add("card 4111 1111 1111 1111 mail a@b.co ip 10.0.0.1 2001:db8::1")
	f.Add("000100001 000000:::0")
	f.Fuzz(func(t *testing.T, s string) {
		in := s + " 4111111111111111 " + s + " jane@bank.example " + s
		out := DefaultSanitizer{}.Sanitize(in)
		if strings.Contains(out, "\x00") || !utf8.ValidString(out) {
			t.Errorf("not storable: %q", out)
		}
		if strings.Contains(out, "4111111111111111") || strings.Contains(out, "jane@bank.example") {
			t.Errorf("card or e-mail survived in %q", out)
		}
	})
}

// TestSanitizerMasksEveryIdentifierTheEngineKnows checks identifiers that only
// the guardrail engine recognises reach the audit trail masked.
func TestSanitizerMasksEveryIdentifierTheEngineKnows(t *testing.T) {
	in := "Beneficiary IFSC HDFC0001234, UPI ramesh@okaxis, ABA routing 021000021, account no 123456789012"
	out := DefaultSanitizer{}.Sanitize(in)
	for _, raw := range []string{"HDFC0001234", "ramesh@okaxis", "021000021", "123456789012"} {
		if strings.Contains(out, raw) {
			t.Errorf("sanitized %q still holds %q", out, raw)
		}
	}
	if !strings.HasPrefix(out, "Beneficiary IFSC ") {
		t.Errorf("sanitized text lost its prose: %q", out)
	}
}
