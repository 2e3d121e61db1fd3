package guard

import (
	"sort"
	"strings"
)

// Result is what Apply did to a text.
type Result struct {
	// Action is the strongest action taken: block > redact > flag > allow. It is
	// ActionAllow for a Shadow policy, whose would-be action is ShadowAction.
	Action Action
	// ShadowAction is the strongest action a Shadow policy would have taken;
	// empty for other policies.
	ShadowAction Action
	// Findings are the findings whose score reached their detector's threshold
	// under an action other than allow, sorted by Start. They hold offsets, never text.
	Findings []Finding
	// Text is the text after redaction; the input unchanged when nothing was
	// redacted or the policy is Shadow. When Action is block, every finding
	// is masked so Text can go to the audit log.
	Text string
	// Flagged, Redacted and Blocked list the detector ids that triggered each
	// action, sorted, without duplicates.
	Flagged, Redacted, Blocked []string
}

// Apply scans text and applies p to the findings. A nil p allows everything.
func (e *Engine) Apply(text string, p *Policy, dir Direction) Result {
	return evaluate(text, e.Scan(text, dir), p)
}

// evaluate applies p to the findings of text.
func evaluate(text string, fs []Finding, p *Policy) Result {
	res := Result{Action: ActionAllow, Text: text}
	strongest := ActionAllow
	for _, f := range fs {
		a := actionFor(p, f)
		if a == ActionAllow {
			continue
		}
		res.Findings = append(res.Findings, f)
		if a.Stronger(strongest) {
			strongest = a
		}
		switch a {
		case ActionFlag:
			res.Flagged = addID(res.Flagged, f.Type)
		case ActionRedact:
			res.Redacted = addID(res.Redacted, f.Type)
		case ActionBlock:
			res.Blocked = addID(res.Blocked, f.Type)
		}
	}
	if p != nil && p.Shadow {
		if len(res.Findings) > 0 {
			res.ShadowAction = strongest
		}
		return res
	}
	res.Action = strongest
	switch strongest {
	case ActionRedact:
		res.Text = redact(text, res.Findings, p, func(f Finding) bool { return actionFor(p, f) == ActionRedact })
	case ActionBlock:
		res.Text = redact(text, res.Findings, p, func(Finding) bool { return true })
	}
	return res
}

// actionFor returns p's action for f, allow if f's score is under threshold.
func actionFor(p *Policy, f Finding) Action {
	if p == nil {
		return ActionAllow
	}
	dp, ok := p.Detectors[f.Type]
	if !ok || f.Score < dp.Threshold || dp.Action.rank() < 0 {
		return ActionAllow
	}
	return dp.Action
}

func addID(ids []string, id string) []string {
	i := sort.SearchStrings(ids, id)
	if i < len(ids) && ids[i] == id {
		return ids
	}
	ids = append(ids, "")
	copy(ids[i+1:], ids[i:])
	ids[i] = id
	return ids
}

// redact rewrites the spans of the findings selected by pick. Overlapping
// spans merge and take the first one's replacement. Values of PII findings
// that occur again elsewhere in the text are masked there too, so a value
// never survives redaction.
func redact(text string, fs []Finding, p *Policy, pick func(Finding) bool) string {
	var spans []Finding
	for _, f := range fs {
		if pick(f) {
			spans = append(spans, f)
		}
	}
	spans = append(spans, repeats(text, spans)...)
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	var b strings.Builder
	b.Grow(len(text))
	pos := 0
	for i := 0; i < len(spans); {
		f := spans[i]
		end := f.End
		mixed := false
		j := i + 1
		for ; j < len(spans) && spans[j].Start < end; j++ {
			end = max(end, spans[j].End)
			mixed = mixed || spans[j].Type != f.Type
		}
		start := max(f.Start, pos)
		b.WriteString(text[pos:start])
		b.WriteString(replacement(text[start:end], f, p, mixed))
		pos = end
		i = j
	}
	b.WriteString(text[pos:])
	return b.String()
}

// repeats returns findings for further occurrences of redacted values whose
// detection depends on context (a bank account, a bare SSN, a password), so a
// value whose context words appeared only once is masked everywhere. Values
// are deduplicated and capped at maxRepeatValues to keep this linear.
func repeats(text string, spans []Finding) []Finding {
	const maxRepeatValues = 32
	var out []Finding
	seen := map[string]bool{}
	for _, f := range spans {
		v := text[f.Start:f.End]
		if !contextual(f) || len(v) < 3 || seen[v] || len(seen) >= maxRepeatValues {
			continue
		}
		seen[v] = true
		for off := 0; ; {
			k := strings.Index(text[off:], v)
			if k < 0 {
				break
			}
			if s := off + k; s != f.Start {
				out = append(out, Finding{Type: f.Type, Start: s, End: s + len(v), Score: f.Score, Detector: f.Detector})
			}
			off += k + len(v)
		}
	}
	return out
}

// contextual reports whether f was found thanks to nearby words, so another
// occurrence of the same value may have gone unreported.
func contextual(f Finding) bool {
	switch f.Type {
	case DetectorBankAccount, DetectorABARouting, DetectorSSN, DetectorAadhaar, DetectorPhone:
		return true
	case DetectorConfidential:
		return strings.HasPrefix(f.Detector, "secret.code") || strings.HasPrefix(f.Detector, "secret.key_value") ||
			strings.HasPrefix(f.Detector, "secret.bearer")
	}
	return false
}

// replacement returns the text that replaces value (finding f).
func replacement(value string, f Finding, p *Policy, mixed bool) string {
	d, _ := detByID(f.Type)
	if d == detIP && strings.HasPrefix(f.Detector, "ip.v6") {
		return IPv6Placeholder
	}
	style := RedactPlaceholder
	if p != nil {
		style = p.Detectors[f.Type].Redaction
	}
	if style != RedactMaskLast4 || mixed || strings.HasSuffix(f.Detector, ".base64") {
		return placeholders[d]
	}
	return maskLast4(value)
}

// maskLast4 keeps the last four letters or digits of value and replaces the
// others with '*', dropping separators.
func maskLast4(value string) string {
	var keep []byte
	n := 0
	for i := 0; i < len(value); i++ {
		if isAlnum(value[i]) {
			n++
		}
	}
	out := make([]byte, 0, n)
	for i := 0; i < len(value); i++ {
		if !isAlnum(value[i]) {
			continue
		}
		if len(out) < n-4 {
			out = append(out, '*')
		} else {
			keep = append(keep, value[i])
		}
	}
	if n <= 4 {
		return strings.Repeat("*", n)
	}
	return string(append(out, keep...))
}
