package guard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Redaction is how a redacted finding is rewritten.
type Redaction string

const (
	// RedactPlaceholder replaces the value with a typed placeholder such as
	// [REDACTED_CARD]. It is the default.
	RedactPlaceholder Redaction = "placeholder"
	// RedactMaskLast4 replaces the value with asterisks followed by its last
	// four letters or digits, separators dropped: 4111 1111 1111 1234 becomes
	// ************1234. IPv6 addresses ignore it and become [IPv6_MASKED].
	RedactMaskLast4 Redaction = "mask_last4"
)

// DefaultThreshold is the score threshold of a detector whose policy sets none.
const DefaultThreshold = 0.5

// DetectorPolicy is what a Policy does with one detector's findings.
type DetectorPolicy struct {
	// Action is applied to findings whose score reaches Threshold.
	Action Action
	// Threshold is the minimum Finding.Score, in [0,1], that triggers Action.
	// Default DefaultThreshold (0.5).
	Threshold float64
	// Redaction is the rewrite used when Action is redact (and for the audit
	// text of a blocked request). Default RedactPlaceholder.
	Redaction Redaction
}

// Policy says, per detector, what to do with findings. Detectors absent from
// Detectors are allowed (ignored). A Policy is immutable once loaded and safe
// to share between goroutines.
type Policy struct {
	// Name is the template or policy name it was loaded under.
	Name string
	// Description is free text for the admin UI.
	Description string
	// Extends names the policy this one was derived from, if any.
	Extends string
	// Shadow, when true, records what the policy would have done (Result.ShadowAction,
	// Flagged, Blocked, Redacted) but lets the text through unchanged.
	Shadow bool
	// Detectors holds the per-detector settings, keyed by detector id.
	Detectors map[string]DetectorPolicy
}

// Validate checks a Policy built by hand; loaded policies are already valid.
func (p *Policy) Validate() error {
	ids := make([]string, 0, len(p.Detectors))
	for id := range p.Detectors {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := validateDetector(id, p.Detectors[id]); err != nil {
			return fmt.Errorf("policy %q: %w", p.Name, err)
		}
	}
	return nil
}

func validateDetector(id string, dp DetectorPolicy) error {
	if _, ok := detByID(id); !ok {
		return fmt.Errorf("unknown detector id %q", id)
	}
	if dp.Action.rank() < 0 {
		return fmt.Errorf("detector %q: unknown action %q (want allow, flag, redact or block)", id, dp.Action)
	}
	if dp.Threshold < 0 || dp.Threshold > 1 || dp.Threshold != dp.Threshold {
		return fmt.Errorf("detector %q: threshold %v out of [0,1]", id, dp.Threshold)
	}
	switch dp.Redaction {
	case RedactPlaceholder, RedactMaskLast4:
	default:
		return fmt.Errorf("detector %q: unknown redaction %q (want placeholder or mask_last4)", id, dp.Redaction)
	}
	return nil
}

// policyFile is the shape of configs/guardrails.yaml.
type policyFile struct {
	// Version of the file format; 1.
	Version int `yaml:"version"`
	// Templates are the shipped policies (bfsi-strict, bfsi-standard, permissive).
	Templates map[string]policyDoc `yaml:"templates"`
	// Policies are named policies, usually extending a template.
	Policies map[string]policyDoc `yaml:"policies"`
}

// policyDoc is one policy as written in YAML or JSON; pointers tell "unset"
// (inherit from extends) from a zero value.
type policyDoc struct {
	Description string                 `yaml:"description"`
	Extends     string                 `yaml:"extends"`
	Shadow      *bool                  `yaml:"shadow"`
	Detectors   map[string]detectorDoc `yaml:"detectors"`
}

type detectorDoc struct {
	Action    *string  `yaml:"action"`
	Threshold *float64 `yaml:"threshold"`
	Redaction *string  `yaml:"redaction"`
}

// LoadPolicies reads a guardrails file (configs/guardrails.yaml) and returns
// every template and policy in it by name, with extends resolved.
func LoadPolicies(path string) (map[string]*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading guardrail policies %q: %w", path, err)
	}
	ps, err := ParsePolicies(data)
	if err != nil {
		return nil, fmt.Errorf("loading guardrail policies %q: %w", path, err)
	}
	return ps, nil
}

// ParsePolicies parses a guardrails file from memory; see LoadPolicies.
func ParsePolicies(data []byte) (map[string]*Policy, error) {
	var f policyFile
	if err := decodeStrict(data, &f); err != nil {
		return nil, err
	}
	if f.Version != 0 && f.Version != 1 {
		return nil, fmt.Errorf("unsupported version %d (want 1)", f.Version)
	}
	docs := make(map[string]policyDoc, len(f.Templates)+len(f.Policies))
	for name, d := range f.Templates {
		docs[name] = d
	}
	for name, d := range f.Policies {
		if _, dup := docs[name]; dup {
			return nil, fmt.Errorf("policy %q defined twice", name)
		}
		docs[name] = d
	}
	out := make(map[string]*Policy, len(docs))
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := resolvePolicy(name, docs, out, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ParsePolicy parses one policy document (YAML or JSON, the shape of one entry
// under policies:) such as a tenant override stored in the database. Its
// extends, if any, names one of bases.
func ParsePolicy(name string, data []byte, bases map[string]*Policy) (*Policy, error) {
	var d policyDoc
	if err := decodeStrict(data, &d); err != nil {
		return nil, fmt.Errorf("policy %q: %w", name, err)
	}
	var base *Policy
	if d.Extends != "" {
		base = bases[d.Extends]
		if base == nil {
			return nil, fmt.Errorf("policy %q: extends unknown policy %q", name, d.Extends)
		}
	}
	return build(name, d, base)
}

func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("parsing: %w", err)
	}
	return nil
}

// resolvePolicy builds policy name, resolving its extends chain; stack detects cycles.
func resolvePolicy(name string, docs map[string]policyDoc, out map[string]*Policy, stack []string) (*Policy, error) {
	if p, ok := out[name]; ok {
		return p, nil
	}
	for _, s := range stack {
		if s == name {
			return nil, fmt.Errorf("policy %q: extends cycle %v", name, append(stack, name))
		}
	}
	d, ok := docs[name]
	if !ok {
		return nil, fmt.Errorf("policy %q: extends unknown policy %q", stack[len(stack)-1], name)
	}
	var base *Policy
	if d.Extends != "" {
		b, err := resolvePolicy(d.Extends, docs, out, append(stack, name))
		if err != nil {
			return nil, err
		}
		base = b
	}
	p, err := build(name, d, base)
	if err != nil {
		return nil, err
	}
	out[name] = p
	return p, nil
}

// build merges doc d over base (which may be nil) field by field.
func build(name string, d policyDoc, base *Policy) (*Policy, error) {
	p := &Policy{Name: name, Description: d.Description, Extends: d.Extends,
		Detectors: make(map[string]DetectorPolicy)}
	if base != nil {
		p.Shadow = base.Shadow
		for id, dp := range base.Detectors {
			p.Detectors[id] = dp
		}
		if p.Description == "" {
			p.Description = base.Description
		}
	}
	if d.Shadow != nil {
		p.Shadow = *d.Shadow
	}
	ids := make([]string, 0, len(d.Detectors))
	for id := range d.Detectors {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		dd := d.Detectors[id]
		dp, inherited := p.Detectors[id]
		if !inherited {
			if dd.Action == nil {
				return nil, fmt.Errorf("policy %q: detector %q: action is required", name, id)
			}
			dp = DetectorPolicy{Threshold: DefaultThreshold, Redaction: RedactPlaceholder}
		}
		if dd.Action != nil {
			dp.Action = Action(*dd.Action)
		}
		if dd.Threshold != nil {
			dp.Threshold = *dd.Threshold
		}
		if dd.Redaction != nil {
			dp.Redaction = Redaction(*dd.Redaction)
		}
		if err := validateDetector(id, dp); err != nil {
			return nil, fmt.Errorf("policy %q: %w", name, err)
		}
		p.Detectors[id] = dp
	}
	return p, nil
}
