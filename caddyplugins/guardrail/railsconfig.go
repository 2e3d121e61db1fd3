package guardrail

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/aigw/aigw/caddyplugins/app"
	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/guard"
	"go.uber.org/zap"
)

// RailConfig is what every external rail shares.
type RailConfig struct {
	// Timeout bounds one check (default 5s).
	Timeout caddy.Duration `json:"timeout,omitempty"`
	// FailClosed blocks when the check fails or times out; by default the
	// request goes on and the failure is logged (fail open).
	FailClosed bool `json:"fail_closed,omitempty"`
	// Output also checks non-streamed answers (input is always checked).
	Output bool `json:"output,omitempty"`
}

func (c RailConfig) settings() railSettings {
	t := time.Duration(c.Timeout)
	if t == 0 {
		t = 5 * time.Second
	}
	return railSettings{Timeout: t, FailClosed: c.FailClosed, Input: true, Output: c.Output}
}

// SelfCheckConfig configures the LLM self-check rail.
type SelfCheckConfig struct {
	RailConfig
	// Model is a chat model of the catalog served by an OpenAI or
	// OpenAI-compatible provider; it is asked to answer Yes (block) or No.
	Model string `json:"model"`
}

// NeMoConfig configures the NeMo Guardrails server rail.
type NeMoConfig struct {
	RailConfig
	// URL is the server's root, e.g. http://127.0.0.1:8000.
	URL string `json:"url"`
	// ConfigID names the server's guardrails configuration.
	ConfigID string `json:"config_id,omitempty"`
	// Refusal is text of the server's refusal message that means "blocked",
	// when its log does not say (default "I'm sorry, I can't respond to that").
	Refusal string `json:"refusal,omitempty"`
}

type railWithSettings struct {
	externalRail
	s railSettings
}

func (h *Handler) provisionRails(a *app.App) error {
	client := &http.Client{}
	if c := h.SelfCheck; c != nil {
		m, err := a.Catalog().Resolve(c.Model)
		if err != nil {
			return fmt.Errorf("self_check model %q: %w", c.Model, err)
		}
		p := a.Catalog().Provider(m.Provider)
		if !m.Has(catalog.CapChat) || (p.Type != catalog.TypeOpenAI && p.Type != catalog.TypeOpenAICompatible) {
			return fmt.Errorf("self_check model %q: want a chat model of an openai or openai-compatible provider", c.Model)
		}
		h.rails = append(h.rails, railWithSettings{&selfCheck{url: strings.TrimRight(p.BaseURL, "/"), key: p.APIKey,
			model: m.Upstream, client: client}, c.settings()})
	}
	if c := h.NeMo; c != nil {
		if !strings.HasPrefix(c.URL, "http://") && !strings.HasPrefix(c.URL, "https://") {
			return fmt.Errorf("nemo url %q: want an http(s) URL", c.URL)
		}
		refusal := c.Refusal
		if refusal == "" {
			refusal = "I'm sorry, I can't respond to that"
		}
		h.rails = append(h.rails, railWithSettings{&nemo{url: strings.TrimRight(c.URL, "/"), configID: c.ConfigID,
			refusal: refusal, client: client}, c.settings()})
	}
	return nil
}

func (h *Handler) railsFor(dir guard.Direction) bool {
	for _, r := range h.rails {
		if r.(railWithSettings).s.applies(dir) {
			return true
		}
	}
	return false
}

// checkRails runs the external rails on texts and turns a block into the
// verdict's action, naming the rail as the detector.
func (h *Handler) checkRails(r *http.Request, st *state.Request, v *verdict, texts []string, dir guard.Direction) {
	if len(h.rails) == 0 {
		return
	}
	blocked, failed := runRails(r.Context(), h.rails, func(x externalRail) railSettings { return x.(railWithSettings).s },
		strings.Join(texts, "\n\n"), dir)
	for _, err := range failed {
		h.logger.Warn("external guardrail failed", zap.String("request_id", st.ID), zap.Error(err))
	}
	if len(blocked) > 0 {
		v.action = guard.ActionBlock
		v.detectors = append(v.detectors, blocked...)
	}
}
