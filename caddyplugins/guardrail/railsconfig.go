package guardrail

import (
	"cmp"
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
	// Stream also checks streamed answers. Their text then reaches the
	// client in batches, each only after the rail passed the answer so far:
	// a batch is StreamBytes bytes of screened text, or what has waited
	// StreamWait, and the finish of the answer checks the rest. A block ends
	// the stream with an error event after the text already passed. This
	// adds latency (a batch plus one rail round trip); without Stream,
	// streamed answers are screened by the engine only and stay as prompt.
	Stream bool `json:"stream,omitempty"`
	// StreamBytes is the size of a batch of a streamed answer checked at
	// once (default 512 bytes; with several rails, the smallest).
	StreamBytes int `json:"stream_bytes,omitempty"`
	// StreamWait is the longest screened text of a streamed answer waits for
	// its batch to fill before it is checked anyway (default 2s; with
	// several rails, the shortest).
	StreamWait caddy.Duration `json:"stream_wait,omitempty"`
}

func (c RailConfig) settings() railSettings {
	t := time.Duration(c.Timeout)
	if t == 0 {
		t = 5 * time.Second
	}
	return railSettings{Timeout: t, FailClosed: c.FailClosed, Input: true, Output: c.Output, Stream: c.Stream,
		StreamBytes: c.StreamBytes, StreamWait: time.Duration(c.StreamWait)}
}

// validate checks the stream settings.
func (c RailConfig) validate(name string) error {
	if c.StreamBytes < 0 || c.StreamBytes > 1<<20 {
		return fmt.Errorf("%s stream_bytes %d: want 0 (default) to 1048576", name, c.StreamBytes)
	}
	if c.StreamWait < 0 {
		return fmt.Errorf("%s stream_wait: want a positive duration", name)
	}
	return nil
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

// streamGate returns the gate for streamed answers of r, or nil when no rail
// checks streams.
func (h *Handler) streamGate(r *http.Request, st *state.Request) *streamGate {
	var g *streamGate
	for _, x := range h.rails {
		s := x.(railWithSettings).s
		if !s.Stream {
			continue
		}
		every, wait := cmp.Or(s.StreamBytes, defaultStreamRailBytes), cmp.Or(s.StreamWait, defaultStreamRailWait)
		if g == nil {
			g = &streamGate{every: every, wait: wait}
		}
		g.every, g.wait = min(g.every, every), min(g.wait, wait)
	}
	if g == nil {
		return nil
	}
	streams := func(x externalRail) railSettings {
		s := x.(railWithSettings).s
		s.Input, s.Output = false, s.Stream
		return s
	}
	g.check = func(text string) []string {
		blocked, failed := runRails(r.Context(), h.rails, streams, text, guard.Output)
		for _, err := range failed {
			h.logger.Warn("external guardrail failed on a streamed answer", zap.String("request_id", st.ID), zap.Error(err))
		}
		return blocked
	}
	return g
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
