// Package guard is aigw's BFSI guardrail engine: it finds personal data,
// secrets, attacks on the model (prompt injection and jailbreaks), personalised
// investment advice and toxic language in prompts and model output, and applies
// a per-tenant Policy (allow, flag, redact or block) to what it finds.
//
// The engine is shared by the gateway's Caddy handler and the admin API, so it
// never imports Caddy. It is built for speed: instead of running a dozen regular
// expressions over every prompt it makes two linear passes, a keyword automaton
// over normalised text and a structural pass that looks only at digit runs, `@`,
// `:` and a few token shapes, and runs exact validators (Luhn, Verhoeff, mod-97,
// ABA) only on the few candidates those passes find. A third pass, reading
// text with spaces dropped and leetspeak folded, runs only around words that
// look obfuscated, and long base64 runs are decoded and scanned.
package guard

// Detector ids. Every Finding's Type is one of these, and a Policy is keyed by them.
const (
	DetectorSSN             = "pii.ssn"
	DetectorCreditCard      = "pii.credit_card"
	DetectorBankAccount     = "pii.bank_account"
	DetectorIBAN            = "pii.iban"
	DetectorABARouting      = "pii.aba_routing"
	DetectorAadhaar         = "pii.aadhaar"
	DetectorPAN             = "pii.pan"
	DetectorIFSC            = "pii.ifsc"
	DetectorUPI             = "pii.upi"
	DetectorEmail           = "pii.email"
	DetectorPhone           = "pii.phone"
	DetectorIP              = "pii.ip"
	DetectorFinancialAdvice = "financial_advice"
	DetectorInjection       = "injection"
	DetectorJailbreak       = "jailbreak"
	DetectorToxicity        = "toxicity"
	DetectorConfidential    = "confidential"
)

// det is the internal index of a detector; detIDs maps it back to the id.
type det uint8

const (
	detSSN det = iota
	detCard
	detBank
	detIBAN
	detABA
	detAadhaar
	detPAN
	detIFSC
	detUPI
	detEmail
	detPhone
	detIP
	detAdvice
	detInjection
	detJailbreak
	detToxicity
	detConfidential
	numDets
)

var detIDs = [numDets]string{
	DetectorSSN, DetectorCreditCard, DetectorBankAccount, DetectorIBAN,
	DetectorABARouting, DetectorAadhaar, DetectorPAN, DetectorIFSC, DetectorUPI,
	DetectorEmail, DetectorPhone, DetectorIP, DetectorFinancialAdvice,
	DetectorInjection, DetectorJailbreak, DetectorToxicity, DetectorConfidential,
}

// placeholders are the typed redaction placeholders, by detector.
var placeholders = [numDets]string{
	"[REDACTED_SSN]", "[REDACTED_CARD]", "[REDACTED_BANK_ACCOUNT]", "[REDACTED_IBAN]",
	"[REDACTED_ROUTING]", "[REDACTED_AADHAAR]", "[REDACTED_PAN]", "[REDACTED_IFSC]",
	"[REDACTED_UPI]", "[REDACTED_EMAIL]", "[REDACTED_PHONE]", "[REDACTED_IP]",
	"[REDACTED_ADVICE]", "[REDACTED_INJECTION]", "[REDACTED_JAILBREAK]",
	"[REDACTED_TOXICITY]", "[REDACTED_CONFIDENTIAL]",
}

// IPv6Placeholder replaces every redacted IPv6 address, whatever the redaction style.
const IPv6Placeholder = "[IPv6_MASKED]"

// Detectors returns every detector id, in a stable order.
func Detectors() []string {
	out := make([]string, numDets)
	copy(out, detIDs[:])
	return out
}

// detByID returns the index of a detector id.
func detByID(id string) (det, bool) {
	for i, s := range detIDs {
		if s == id {
			return det(i), true
		}
	}
	return 0, false
}

// isPII reports whether d finds a value (a number, an address) rather than a phrase.
func (d det) isPII() bool { return d <= detIP }

// Finding is one thing a detector found. It never carries the matched text:
// the only way to see the value is to slice the scanned text with Start and End.
type Finding struct {
	// Type is the detector id, one of the Detector* constants.
	Type string
	// Start and End are byte offsets of the finding in the scanned text, End exclusive.
	Start, End int
	// Score is the detector's confidence in [0,1]; context words raise it,
	// negative context (order ids, versions) lowers it.
	Score float64
	// Detector names the rule inside the detector that fired, such as
	// "card.visa", "phone.in", "secret.aws_access_key" or "injection.override";
	// ".obfuscated" is appended when the match needed leetspeak or spacing to
	// be undone, ".base64" when it was inside a base64-encoded run;
	// ".learned" names a learned detector ("injection.learned").
	Detector string
	// Features are, for a learned detector's finding, the word n-grams that
	// raised its score most, strongest first, as the model reads them
	// (lower-cased, digits as 0); n-grams touching personal data are left
	// out. Empty for rule findings.
	Features []string `json:",omitempty"`
}

// Direction says which way text flows through the gateway.
type Direction uint8

const (
	// Input is a prompt (or a tool result) on its way to the model.
	Input Direction = iota
	// Output is model output on its way to the client.
	Output
)

// String returns "input" or "output".
func (d Direction) String() string {
	if d == Output {
		return "output"
	}
	return "input"
}

// Action is what a Policy does with a finding.
type Action string

// Actions, from weakest to strongest.
const (
	// ActionAllow ignores the finding.
	ActionAllow Action = "allow"
	// ActionFlag lets the text through and reports the finding.
	ActionFlag Action = "flag"
	// ActionRedact replaces the finding's span with a placeholder or mask.
	ActionRedact Action = "redact"
	// ActionBlock stops the request or stream.
	ActionBlock Action = "block"
)

// rank orders actions; unknown actions rank -1.
func (a Action) rank() int {
	switch a {
	case ActionAllow:
		return 0
	case ActionFlag:
		return 1
	case ActionRedact:
		return 2
	case ActionBlock:
		return 3
	}
	return -1
}

// Stronger reports whether a ranks above b (block > redact > flag > allow).
func (a Action) Stronger(b Action) bool { return a.rank() > b.rank() }
