package guard

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const configPath = "../../configs/guardrails.yaml"

func loadTestPolicies(t testing.TB) map[string]*Policy {
	t.Helper()
	ps, err := LoadPolicies(configPath)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestLoadPoliciesTemplates(t *testing.T) {
	ps := loadTestPolicies(t)
	for _, name := range []string{"bfsi-strict", "bfsi-standard", "permissive"} {
		p := ps[name]
		if p == nil {
			t.Fatalf("template %q missing", name)
		}
		for _, id := range Detectors() {
			if _, ok := p.Detectors[id]; !ok {
				t.Errorf("%s: detector %q not configured", name, id)
			}
		}
	}
	strict, std := ps["bfsi-strict"], ps["bfsi-standard"]
	for _, id := range Detectors() {
		if strings.HasPrefix(id, "pii.") && std.Detectors[id].Action.rank() < ActionRedact.rank() {
			t.Errorf("bfsi-standard: %s is %s, want at least redact", id, std.Detectors[id].Action)
		}
		if strict.Detectors[id].Action == ActionAllow {
			t.Errorf("bfsi-strict: %s is allowed, want every detector on", id)
		}
	}
	for id, want := range map[string]Action{DetectorInjection: ActionBlock, DetectorJailbreak: ActionBlock,
		DetectorFinancialAdvice: ActionFlag, DetectorToxicity: ActionBlock} {
		if got := std.Detectors[id].Action; got != want {
			t.Errorf("bfsi-standard %s = %s, want %s", id, got, want)
		}
	}
}

func TestPolicyExtends(t *testing.T) {
	ps := loadTestPolicies(t)
	p := ps["example-shadow-rollout"]
	base := ps["bfsi-standard"]
	if !p.Shadow || p.Extends != "bfsi-standard" {
		t.Fatalf("got shadow=%v extends=%q", p.Shadow, p.Extends)
	}
	want := base.Detectors[DetectorAadhaar]
	want.Redaction = RedactMaskLast4
	if diff := cmp.Diff(want, p.Detectors[DetectorAadhaar]); diff != "" {
		t.Errorf("aadhaar override (-want +got):\n%s", diff)
	}
	if got := p.Detectors[DetectorFinancialAdvice]; got.Action != ActionBlock || got.Threshold != base.Detectors[DetectorFinancialAdvice].Threshold {
		t.Errorf("advice override = %+v, want block with the inherited threshold", got)
	}
	if diff := cmp.Diff(base.Detectors[DetectorEmail], p.Detectors[DetectorEmail]); diff != "" {
		t.Errorf("inherited email policy (-base +got):\n%s", diff)
	}
}

func TestParsePolicyTenantJSON(t *testing.T) {
	ps := loadTestPolicies(t)
	doc := `{"extends":"bfsi-strict","shadow":true,"detectors":{"toxicity":{"action":"flag","threshold":0.8}}}`
	p, err := ParsePolicy("tenant-42", []byte(doc), ps)
	if err != nil {
		t.Fatal(err)
	}
	want := DetectorPolicy{Action: ActionFlag, Threshold: 0.8, Redaction: RedactPlaceholder}
	if diff := cmp.Diff(want, p.Detectors[DetectorToxicity]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !p.Shadow || p.Detectors[DetectorSSN] != ps["bfsi-strict"].Detectors[DetectorSSN] {
		t.Errorf("override lost inherited settings: %+v", p)
	}
}

func TestPolicyErrors(t *testing.T) {
	for _, c := range []struct {
		name, doc, want string
	}{
		{"unknown detector", "templates:\n  a:\n    detectors:\n      pii.passport: {action: block}\n", `"pii.passport"`},
		{"unknown action", "templates:\n  a:\n    detectors:\n      pii.ssn: {action: explode}\n", `"explode"`},
		{"threshold above 1", "templates:\n  a:\n    detectors:\n      pii.ssn: {action: block, threshold: 1.5}\n", "1.5"},
		{"threshold below 0", "templates:\n  a:\n    detectors:\n      pii.ssn: {action: block, threshold: -0.1}\n", "-0.1"},
		{"unknown redaction", "templates:\n  a:\n    detectors:\n      pii.ssn: {action: redact, redaction: blur}\n", `"blur"`},
		{"missing action", "templates:\n  a:\n    detectors:\n      pii.ssn: {threshold: 0.5}\n", "action is required"},
		{"unknown extends", "policies:\n  a:\n    extends: nope\n", `"nope"`},
		{"extends cycle", "policies:\n  a:\n    extends: b\n  b:\n    extends: a\n", "cycle"},
		{"unknown field", "templates:\n  a:\n    detector: {}\n", "detector"},
		{"duplicate name", "templates:\n  a: {}\npolicies:\n  a: {}\n", "twice"},
		{"bad version", "version: 7\n", "7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePolicies([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ParsePolicies error = %v, want one quoting %s", err, c.want)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	p := &Policy{Name: "hand", Detectors: map[string]DetectorPolicy{
		DetectorSSN: {Action: ActionBlock, Threshold: 2, Redaction: RedactPlaceholder}}}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "2") {
		t.Fatalf("Validate = %v, want threshold error", err)
	}
}
