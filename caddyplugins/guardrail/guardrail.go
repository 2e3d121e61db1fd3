// Package guardrail is the aigw_guardrail handler: it screens what goes to a
// model and what comes back with the BFSI guardrail engine (internal/guard) —
// the same engine the admin API's policy test runs. Input: every message of a
// chat request (tool results included) and every embeddings input; a block is
// a 400 guardrail_violation naming the detectors, a redaction rewrites what the
// provider receives. Output: non-streamed answers are screened before they
// leave; streamed answers as they come, holding back only what could still
// become a finding, so a value split across chunks is still caught.
package guardrail

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/app"
	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/store"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Handler screens requests and answers with a guardrail policy.
type Handler struct {
	// Policy names the policy of PoliciesFile applied to tenants without an
	// override of their own (default "bfsi-standard").
	Policy string `json:"policy,omitempty"`
	// PoliciesFile is the guardrail policy file (default: the aigw app's
	// guardrails file, configs/guardrails.yaml).
	PoliciesFile string `json:"policies_file,omitempty"`
	// Shadow records what the policy would do without doing it, for every tenant
	// on this route (a tenant's own policy may also be shadow).
	Shadow bool `json:"shadow,omitempty"`
	// SkipOutput turns off screening of answers (input is still screened).
	SkipOutput bool `json:"skip_output,omitempty"`
	// StreamWindow is the most bytes of a streamed answer held back so that a
	// value split across chunks is caught (default 256). Only what could
	// still become a finding is held; text that waits for nothing goes out
	// within 50 ms.
	StreamWindow int `json:"stream_window,omitempty"`
	// TenantPolicies, when false, ignores tenants' policies in the database.
	// Default true when the aigw app has a database.
	TenantPolicies *bool `json:"tenant_policies,omitempty"`
	// RefreshInterval is how often tenants' policies are reloaded from the
	// database in the background (default 10s).
	RefreshInterval caddy.Duration `json:"refresh_interval,omitempty"`
	// SelfCheck, when set, also asks a chat model of the catalog whether a
	// request (and, with Output, a non-streamed answer; with Stream, a
	// streamed one) breaks policy, as NeMo Guardrails' self-check rails do.
	// It sees texts after redaction. Off by default.
	SelfCheck *SelfCheckConfig `json:"self_check,omitempty"`
	// NeMo, when set, also runs the input (and, with Output or Stream,
	// output) rails of a NeMo Guardrails server on texts after redaction.
	// Off by default.
	NeMo *NeMoConfig `json:"nemo,omitempty"`

	rails     []externalRail
	engine    *guard.Engine
	templates map[string]*guard.Policy
	policy    *guard.Policy
	tenants   *atomic.Pointer[map[string]tenantRule]
	bodyLimit int64
	logger    *zap.Logger
}

// tenantRule is a tenant's own policy with the engine that knows its terms.
type tenantRule struct {
	policy *guard.Policy
	engine *guard.Engine
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.aigw_guardrail", New: func() caddy.Module { return new(Handler) }}
}

// Provision loads the policies and starts the tenant policy refresher.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	a, err := app.Load(ctx)
	if err != nil {
		return err
	}
	h.bodyLimit = a.MaxRequestBody
	if h.Policy == "" {
		h.Policy = "bfsi-standard"
	}
	if h.PoliciesFile == "" {
		h.PoliciesFile = a.Guardrails
	}
	if h.StreamWindow == 0 {
		h.StreamWindow = guard.DefaultWindow
	}
	if h.RefreshInterval == 0 {
		h.RefreshInterval = caddy.Duration(10 * time.Second)
	}
	if h.templates, err = guard.LoadPolicies(h.PoliciesFile); err != nil {
		return fmt.Errorf("loading guardrail policies: %w", err)
	}
	if h.engine, err = guard.NewEngine(guard.Options{}); err != nil {
		return fmt.Errorf("building guardrail engine: %w", err)
	}
	if p, ok := h.templates[h.Policy]; ok {
		h.policy = h.shadowed(p)
	}
	if err := h.provisionRails(a); err != nil {
		return err
	}
	h.tenants = new(atomic.Pointer[map[string]tenantRule])
	h.tenants.Store(&map[string]tenantRule{})
	if s := a.Store(); s != nil && (h.TenantPolicies == nil || *h.TenantPolicies) {
		go h.refreshTenants(ctx, s)
	}
	return nil
}

// Validate checks the configuration.
func (h *Handler) Validate() error {
	if h.policy == nil {
		return fmt.Errorf("aigw_guardrail: policy %q is not defined in %s", h.Policy, h.PoliciesFile)
	}
	if h.StreamWindow < 16 || h.StreamWindow > 1<<20 {
		return fmt.Errorf("aigw_guardrail: stream_window %d: want 16 to 1048576 bytes", h.StreamWindow)
	}
	if h.RefreshInterval < caddy.Duration(time.Second) {
		return errors.New("aigw_guardrail: refresh_interval must be at least 1s")
	}
	if h.SelfCheck != nil {
		if err := h.SelfCheck.validate("aigw_guardrail: self_check"); err != nil {
			return err
		}
	}
	if h.NeMo != nil {
		if err := h.NeMo.validate("aigw_guardrail: nemo"); err != nil {
			return err
		}
	}
	return nil
}

// shadowed returns p, or a shadow copy of it when the route is in shadow mode.
func (h *Handler) shadowed(p *guard.Policy) *guard.Policy {
	if !h.Shadow || p.Shadow {
		return p
	}
	c := *p
	c.Shadow = true
	return &c
}

// ruleFor returns the policy and engine for the request's tenant.
func (h *Handler) ruleFor(st *state.Request) (*guard.Policy, *guard.Engine) {
	if st.Key != nil {
		if t, ok := (*h.tenants.Load())[st.Key.TenantID]; ok {
			return t.policy, t.engine
		}
	}
	return h.policy, h.engine
}

// ServeHTTP screens the request, then the answer.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if r.Method != http.MethodPost {
		return next.ServeHTTP(w, r)
	}
	r, st := state.Attach(r, h.bodyLimit)
	policy, engine := h.ruleFor(st)
	var v verdict
	var body []byte
	var texts []string
	var err error
	switch st.Endpoint {
	case state.EndpointChat:
		v, body, texts, err = h.screenChat(r, st, engine, policy)
	case state.EndpointEmbeddings:
		v, body, texts, err = h.screenEmbedding(r, st, engine, policy)
	default:
		return next.ServeHTTP(w, r)
	}
	if err != nil {
		state.WriteError(w, r, err)
		return nil
	}
	if v.action != guard.ActionBlock && len(texts) > 0 {
		h.checkRails(r, st, &v, texts, guard.Input)
	}
	h.record(st, v)
	if v.action == guard.ActionBlock {
		state.WriteError(w, r, apierr.Newf(http.StatusBadRequest, "guardrail_violation",
			"The request was blocked by the gateway's content policy (%s).", strings.Join(v.detectors, ", ")))
		return nil
	}
	if body != nil {
		st.SetBody(body)
	}
	announce(w, v)
	if st.Endpoint != state.EndpointChat || h.SkipOutput {
		return next.ServeHTTP(w, r)
	}
	out := newOutputScreen(w, engine, policy, h.StreamWindow)
	if h.railsFor(guard.Output) {
		out.rails = func(text string) []string {
			var ov verdict
			h.checkRails(r, st, &ov, []string{text}, guard.Output)
			return ov.detectors
		}
	}
	out.gate = h.streamGate(r, st)
	err = next.ServeHTTP(out, r)
	if ferr := out.finish(); ferr != nil && err == nil {
		err = ferr
	}
	h.record(st, out.verdict)
	if errors.Is(err, errBlocked) {
		return nil
	}
	return err
}

func (h *Handler) screenChat(r *http.Request, st *state.Request, e *guard.Engine, p *guard.Policy) (verdict, []byte, []string, error) {
	req, err := st.Chat(r)
	if err != nil {
		return verdict{}, nil, nil, err
	}
	raw, _ := st.Body(r)
	v, body, texts, err := screenChat(e, p, raw, req)
	if err != nil {
		h.logger.Error("rewriting redacted request", zap.String("request_id", st.ID), zap.Error(err))
		return v, nil, nil, errUnscreenable.WithCause(err)
	}
	return v, body, texts, nil
}

func (h *Handler) screenEmbedding(r *http.Request, st *state.Request, e *guard.Engine, p *guard.Policy) (verdict, []byte, []string, error) {
	req, err := st.Embedding(r)
	if err != nil {
		return verdict{}, nil, nil, err
	}
	raw, _ := st.Body(r)
	v, body, texts, err := screenEmbedding(e, p, raw, req)
	if err != nil {
		h.logger.Error("rewriting redacted embeddings input", zap.String("request_id", st.ID), zap.Error(err))
		return v, nil, nil, errUnscreenable.WithCause(err)
	}
	return v, body, texts, nil
}

var errUnscreenable = apierr.New(http.StatusBadRequest, "invalid_value", "The request could not be screened.")

// record keeps the strongest action in the request state and logs what was
// found (types and counts, never values; for learned findings the n-grams
// that raised their score, which never quote personal data).
func (h *Handler) record(st *state.Request, v verdict) {
	act := v.action
	if act == guard.ActionAllow || act == "" {
		if v.shadow != "" && v.shadow != guard.ActionAllow {
			act = "shadow_" + v.shadow
		} else {
			return
		}
	}
	if cur := guard.Action(st.GuardrailAction); cur == "" || guard.Action(act).Stronger(cur) {
		st.GuardrailAction = string(act)
	}
	for id, n := range v.counts {
		if st.GuardrailFindings == nil {
			st.GuardrailFindings = map[string]int{}
		}
		st.GuardrailFindings[id] += n
	}
	for id, fs := range v.features {
		if st.GuardrailFeatures == nil {
			st.GuardrailFeatures = map[string][]string{}
		}
		if st.GuardrailFeatures[id] == nil {
			st.GuardrailFeatures[id] = fs
			if st.GuardrailScores == nil {
				st.GuardrailScores = map[string]float64{}
			}
			st.GuardrailScores[id] = v.scores[id]
		}
	}
	h.logger.Info("guardrail acted", zap.String("request_id", st.ID), zap.String("action", string(act)),
		zap.Strings("detectors", v.detectors), zap.Any("counts", v.counts))
}

// announce tells the client what the input screen flagged or redacted.
func announce(w http.ResponseWriter, v verdict) {
	if v.action == guard.ActionAllow || v.action == "" || len(v.detectors) == 0 {
		return
	}
	w.Header().Set("X-Aigw-Guardrail", string(v.action))
	w.Header().Set("X-Aigw-Guardrail-Detectors", strings.Join(v.detectors, ","))
}

// refreshTenants loads tenants' policies now and then every RefreshInterval,
// until the config is unloaded.
func (h *Handler) refreshTenants(ctx caddy.Context, s *store.Store) {
	t := time.NewTicker(time.Duration(h.RefreshInterval))
	defer t.Stop()
	for {
		h.loadTenants(ctx, s)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
