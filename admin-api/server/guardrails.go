package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	addRoutes(
		Route{Method: "GET", Path: "/guardrails", Perm: PermGuardrailsRead, Handle: listDetectors,
			Doc: Doc{Tag: "guardrails", Summary: "The guardrail detectors, with what each finds", Response: List[Detector]{}}},
		Route{Method: "GET", Path: "/guardrails/policies", Perm: PermGuardrailsRead, Handle: listTemplates,
			Doc: Doc{Tag: "guardrails", Summary: "The policy templates of configs/guardrails.yaml", Response: List[PolicyTemplate]{}}},
		Route{Method: "GET", Path: "/guardrails/bfsi", Perm: PermGuardrailsRead, Handle: bfsiDetectors,
			Doc: Doc{Tag: "guardrails", Summary: "The BFSI detectors and what each policy template does with them", Response: List[BFSIDetector]{}}},
		Route{Method: "POST", Path: "/guardrails/test", Perm: PermGuardrailsTest, Handle: testGuardrails, MaxBody: 1 << 20,
			Doc: Doc{Tag: "guardrails", Summary: "Screen a text with the gateway's engine; the answer is aigw-admin guard test's",
				Description: "policy names a template; left out, the tenant's own policy applies (as the gateway applies it), or bfsi-standard when the tenant has none.",
				Request:     guardTestRequest{}, Response: GuardResult{}, Errors: []int{413, 422}}},
		Route{Method: "GET", Path: "/guardrails/policy", Perm: PermGuardrailsRead, Handle: getTenantPolicy,
			Doc: Doc{Tag: "guardrails", Summary: "The tenant's guardrail policy", Response: TenantPolicy{}}},
		Route{Method: "PUT", Path: "/guardrails/policy", Perm: PermGuardrailsEdit, Handle: putTenantPolicy, MaxBody: 256 << 10,
			Doc: Doc{Tag: "guardrails", Summary: "Set the tenant's guardrail policy; gateways apply it within their refresh interval (10 s)",
				Description: "A template, per-detector overrides, confidential terms and shadow mode, validated as the gateway builds them (422 naming the field when it would not build).",
				Request:     tenantPolicyRequest{}, Response: TenantPolicy{}, Errors: []int{422}}},
	)
}

// detectorInfo says what each detector finds; TestEveryDetectorIsDescribed
// keeps it complete.
var detectorInfo = map[string]struct{ category, description string }{
	guard.DetectorSSN:             {"pii", "US Social Security numbers (area, group and serial rules)"},
	guard.DetectorCreditCard:      {"pii", "payment card numbers (issuer prefixes and the Luhn checksum)"},
	guard.DetectorBankAccount:     {"pii", "bank account numbers near account context words"},
	guard.DetectorIBAN:            {"pii", "IBANs (country length and mod-97 checksum)"},
	guard.DetectorABARouting:      {"pii", "US ABA routing numbers (checksum and context)"},
	guard.DetectorAadhaar:         {"pii", "Indian Aadhaar numbers (Verhoeff checksum)"},
	guard.DetectorPAN:             {"pii", "Indian PAN card numbers"},
	guard.DetectorIFSC:            {"pii", "Indian IFSC bank branch codes"},
	guard.DetectorUPI:             {"pii", "Indian UPI payment addresses"},
	guard.DetectorEmail:           {"pii", "e-mail addresses"},
	guard.DetectorPhone:           {"pii", "phone numbers (international and national formats)"},
	guard.DetectorIP:              {"pii", "IPv4 and IPv6 addresses"},
	guard.DetectorFinancialAdvice: {"compliance", "personalised investment advice (buy/sell recommendations, guaranteed returns)"},
	guard.DetectorInjection:       {"attack", "prompt injection: attempts to override the system's instructions"},
	guard.DetectorJailbreak:       {"attack", "jailbreaks: role-play and persona attacks on the model's rules"},
	guard.DetectorToxicity:        {"safety", "abusive, hateful or threatening language"},
	guard.DetectorConfidential:    {"confidential", "secrets (API keys, tokens, private keys) and the tenant's confidential terms"},
}

// Detector is one guardrail detector.
type Detector struct {
	ID          string `json:"id"`
	Category    string `json:"category" enum:"pii,compliance,attack,safety,confidential"`
	Description string `json:"description"`
}

func listDetectors(c *Call) error {
	out := List[Detector]{Data: []Detector{}}
	for _, id := range guard.Detectors() {
		in := detectorInfo[id]
		out.Data = append(out.Data, Detector{ID: id, Category: in.category, Description: in.description})
	}
	out.Total = len(out.Data)
	return c.JSON(http.StatusOK, out)
}

// DetectorSetting is what a policy does with one detector.
type DetectorSetting struct {
	Action    string  `json:"action" enum:"allow,flag,redact,block"`
	Threshold float64 `json:"threshold" doc:"minimum finding score, 0 to 1"`
	Redaction string  `json:"redaction" enum:"placeholder,mask_last4"`
}

// PolicyTemplate is a shipped policy.
type PolicyTemplate struct {
	Name        string                     `json:"name"`
	Description string                     `json:"description"`
	Extends     string                     `json:"extends,omitempty"`
	Shadow      bool                       `json:"shadow"`
	Detectors   map[string]DetectorSetting `json:"detectors" doc:"detectors not listed are allowed"`
}

func templateView(p *guard.Policy) PolicyTemplate {
	out := PolicyTemplate{Name: p.Name, Description: p.Description, Extends: p.Extends, Shadow: p.Shadow,
		Detectors: map[string]DetectorSetting{}}
	for id, dp := range p.Detectors {
		out.Detectors[id] = DetectorSetting{Action: string(dp.Action), Threshold: dp.Threshold, Redaction: string(dp.Redaction)}
	}
	return out
}

func (r *resources) templateNames() []string {
	names := make([]string, 0, len(r.templates))
	for n := range r.templates {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func listTemplates(c *Call) error {
	out := List[PolicyTemplate]{Data: []PolicyTemplate{}}
	for _, n := range c.srv.res.templateNames() {
		out.Data = append(out.Data, templateView(c.srv.res.templates[n]))
	}
	out.Total = len(out.Data)
	return c.JSON(http.StatusOK, out)
}

// BFSIDetector is a detector of the BFSI set with each template's action.
type BFSIDetector struct {
	Detector
	Policies map[string]string `json:"policies" doc:"template name to action (allow when the template does not list it)"`
}

func bfsiDetectors(c *Call) error {
	out := List[BFSIDetector]{Data: []BFSIDetector{}}
	for _, id := range guard.Detectors() {
		in := detectorInfo[id]
		if in.category != "pii" && in.category != "compliance" && in.category != "confidential" {
			continue
		}
		d := BFSIDetector{Detector: Detector{ID: id, Category: in.category, Description: in.description}, Policies: map[string]string{}}
		for _, n := range c.srv.res.templateNames() {
			act := string(guard.ActionAllow)
			if dp, ok := c.srv.res.templates[n].Detectors[id]; ok {
				act = string(dp.Action)
			}
			d.Policies[n] = act
		}
		out.Data = append(out.Data, d)
	}
	out.Total = len(out.Data)
	return c.JSON(http.StatusOK, out)
}

type guardTestRequest struct {
	Text      string `json:"text" required:"true" doc:"at most 1 MiB"`
	Direction string `json:"direction,omitempty" enum:"input,output" doc:"input (a prompt, the default) or output (an answer)"`
	Policy    string `json:"policy,omitempty" doc:"a template name; default: the tenant's policy"`
}

// GuardResult is what screening a text gives: the same JSON as
// `aigw-admin guard test`.
type GuardResult struct {
	Action   string         `json:"action" enum:"allow,flag,redact,block"`
	Shadow   string         `json:"shadow_action,omitempty" doc:"what a shadow policy would have done"`
	Findings []GuardFinding `json:"findings"`
	Text     string         `json:"text" doc:"the text after redaction"`
}

// GuardFinding is where a detector found something, never what.
type GuardFinding struct {
	Type     string   `json:"type"`
	Start    int      `json:"start" doc:"byte offset"`
	End      int      `json:"end" doc:"byte offset, exclusive"`
	Score    float64  `json:"score"`
	Detector string   `json:"detector" doc:"the rule or learned model that fired, such as card.visa or injection.learned"`
	Features []string `json:"features,omitempty" doc:"for a learned detector: the word n-grams that raised its score most, never personal data"`
}

// screenText applies p with engine, as `aigw-admin guard test` does.
func screenText(engine *guard.Engine, p *guard.Policy, text string, dir guard.Direction) GuardResult {
	res := engine.Apply(text, p, dir)
	out := GuardResult{Action: string(res.Action), Shadow: string(res.ShadowAction), Text: res.Text, Findings: []GuardFinding{}}
	for _, f := range res.Findings {
		out.Findings = append(out.Findings, GuardFinding{Type: f.Type, Start: f.Start, End: f.End, Score: f.Score,
			Detector: f.Detector, Features: f.Features})
	}
	return out
}

func testGuardrails(c *Call) error {
	var req guardTestRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	dir := guard.Input
	switch req.Direction {
	case "", "input":
	case "output":
		dir = guard.Output
	default:
		return badField("direction", "want input or output")
	}
	ctx, res := c.R.Context(), c.srv.res
	engine, policy, name := res.engine, res.templates["bfsi-standard"], "bfsi-standard"
	if req.Policy != "" {
		if policy = res.templates[req.Policy]; policy == nil {
			return unprocessable("policy", "policy %q is not a template; see GET %s/guardrails/policies", req.Policy, Prefix)
		}
		name = req.Policy
	} else if tp, err := c.Store().ActivePolicy(ctx); err == nil {
		if policy, engine, err = res.buildTenantPolicy(tp.TenantPolicy); err != nil {
			return err
		}
		name = "tenant"
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	out := screenText(engine, policy, req.Text, dir)
	counts := map[string]any{}
	for _, f := range out.Findings {
		n, _ := counts[f.Type].(int64)
		counts[f.Type] = n + 1
	}
	if err := c.Store().Record(ctx, audit.Event{Action: "guardrails.test", ResourceType: "policy", ResourceID: name,
		Details: map[string]any{"action": out.Action, "direction": dir.String(), "detectors": counts}}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// buildTenantPolicy builds a tenant's policy as the gateway does (template,
// overrides, shadow; terms compiled into an engine), or a 422 naming what
// would not build.
func (r *resources) buildTenantPolicy(tp store.TenantPolicy) (*guard.Policy, *guard.Engine, error) {
	if _, ok := r.templates[tp.Template]; !ok {
		return nil, nil, unprocessable("template", "template %q is not in the guardrails file; see GET %s/guardrails/policies", tp.Template, Prefix)
	}
	doc, err := tp.Doc()
	if err != nil {
		return nil, nil, unprocessable("overrides", "overrides: %v", err)
	}
	p, err := guard.ParsePolicy(tenantdb.PolicyName, doc, r.templates)
	if err != nil {
		return nil, nil, unprocessable("overrides", "%s", strings.TrimPrefix(err.Error(), `policy "`+tenantdb.PolicyName+`": `))
	}
	engine, err := r.engine.WithTerms(tp.Terms)
	if err != nil {
		return nil, nil, unprocessable("terms", "%v", err)
	}
	return p, engine, nil
}

// TenantPolicy is the tenant's guardrail policy.
type TenantPolicy struct {
	Configured bool                       `json:"configured" doc:"false: the tenant has no policy and the gateway's route policy applies"`
	Template   string                     `json:"template"`
	Overrides  map[string]DetectorSetting `json:"overrides" doc:"per-detector settings over the template"`
	Effective  map[string]DetectorSetting `json:"effective" doc:"the detectors as the gateway applies them"`
	Terms      []string                   `json:"terms" doc:"confidential terms, matched as confidential"`
	Shadow     bool                       `json:"shadow" doc:"record what would happen, change nothing"`
	Version    int                        `json:"version"`
	UpdatedAt  *time.Time                 `json:"updated_at"`
	UpdatedBy  *string                    `json:"updated_by" format:"uuid"`
}

func getTenantPolicy(c *Call) error {
	tp, err := c.Store().ActivePolicy(c.R.Context())
	if errors.Is(err, store.ErrNotFound) {
		return c.JSON(http.StatusOK, TenantPolicy{Overrides: map[string]DetectorSetting{}, Effective: map[string]DetectorSetting{}, Terms: []string{}})
	} else if err != nil {
		return err
	}
	out, err := c.srv.res.policyView(tp)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (r *resources) policyView(tp *tenantdb.Policy) (TenantPolicy, error) {
	out := TenantPolicy{Configured: true, Template: tp.Template, Overrides: map[string]DetectorSetting{}, Terms: tp.Terms,
		Shadow: tp.Shadow, Version: tp.Version, UpdatedAt: timeOrNil(tp.UpdatedAt), UpdatedBy: strOrNil(tp.UpdatedBy)}
	if out.Terms == nil {
		out.Terms = []string{}
	}
	var raw map[string]detectorOverride
	if len(tp.Rules) > 0 {
		if err := json.Unmarshal(tp.Rules, &raw); err != nil {
			return out, err
		}
	}
	p, _, err := r.buildTenantPolicy(tp.TenantPolicy)
	if err != nil {
		return out, err
	}
	for id := range raw {
		dp := p.Detectors[id]
		out.Overrides[id] = DetectorSetting{Action: string(dp.Action), Threshold: dp.Threshold, Redaction: string(dp.Redaction)}
	}
	out.Effective = templateView(p).Detectors
	return out, nil
}

// detectorOverride is one detector's override; fields left out are the
// template's.
type detectorOverride struct {
	Action    *string  `json:"action,omitempty" enum:"allow,flag,redact,block"`
	Threshold *float64 `json:"threshold,omitempty" doc:"0 to 1"`
	Redaction *string  `json:"redaction,omitempty" enum:"placeholder,mask_last4"`
}

type tenantPolicyRequest struct {
	Template  string                      `json:"template" required:"true" doc:"a template of GET /guardrails/policies"`
	Overrides map[string]detectorOverride `json:"overrides,omitempty" doc:"detector id to settings over the template"`
	Terms     []string                    `json:"terms,omitempty" doc:"confidential terms (code names, client names), at least 3 characters each, at most 500"`
	Shadow    bool                        `json:"shadow,omitempty"`
}

func putTenantPolicy(c *Call) error {
	var req tenantPolicyRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	if len(req.Terms) > 500 {
		return badField("terms", "at most 500 terms")
	}
	for id := range req.Overrides {
		if _, ok := detectorInfo[id]; !ok {
			return unprocessable("overrides", "unknown detector %q; see GET %s/guardrails", id, Prefix)
		}
	}
	rules, err := json.Marshal(req.Overrides)
	if err != nil {
		return err
	}
	if req.Overrides == nil {
		rules = []byte("{}")
	}
	tp := store.TenantPolicy{Template: req.Template, Rules: rules, Terms: req.Terms, Shadow: req.Shadow}
	if _, _, err := c.srv.res.buildTenantPolicy(tp); err != nil {
		return err
	}
	saved, err := c.Store().SetPolicy(c.R.Context(), tp)
	if err != nil {
		return err
	}
	out, err := c.srv.res.policyView(saved)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
