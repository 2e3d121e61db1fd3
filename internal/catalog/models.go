package catalog

import (
	"fmt"
	"slices"

	"github.com/aigw/aigw/internal/money"
)

// Capabilities a model may have.
const (
	CapChat       = "chat"
	CapEmbeddings = "embeddings"
	CapTools      = "tools"
	CapVision     = "vision"
	CapJSON       = "json"
)

var knownCaps = []string{CapChat, CapEmbeddings, CapTools, CapVision, CapJSON}

// Model is one entry of models.yaml.
type Model struct {
	// ID is the name clients send in "model".
	ID string
	// Provider names the provider that serves it.
	Provider string
	// Upstream is the model name sent to the provider (default: ID).
	Upstream string
	// ContextWindow is the maximum prompt plus completion, in tokens.
	ContextWindow int
	// MaxOutputTokens is the most the model will generate in one answer (0: unknown).
	MaxOutputTokens int
	// Dimensions is the embedding vector length (embedding models only).
	Dimensions int
	// InputRate, CachedInputRate and OutputRate are prices per token.
	InputRate, CachedInputRate, OutputRate money.Rate
	// Capabilities lists what the model can do (chat, embeddings, tools, vision, json).
	Capabilities []string
	// DropParams makes the router silently drop request parameters the
	// model's provider cannot honour (seed, logprobs, ...) instead of
	// answering 400 naming them.
	DropParams bool
}

// Has reports whether the model has capability c.
func (m *Model) Has(c string) bool { return slices.Contains(m.Capabilities, c) }

// Cost prices one call: prompt tokens (of which cached are billed at the cached
// rate when the model has one) and completion tokens.
func (m *Model) Cost(prompt, cached, completion int64) money.Pico {
	if cached > prompt {
		cached = prompt
	}
	if m.CachedInputRate == 0 {
		cached = 0
	}
	return m.InputRate.Cost(prompt - cached).
		Add(m.CachedInputRate.Cost(cached)).
		Add(m.OutputRate.Cost(completion))
}

type modelFile struct {
	Models []modelYAML `yaml:"models"`
}

type modelYAML struct {
	ID              string   `yaml:"id"`
	Provider        string   `yaml:"provider"`
	Upstream        string   `yaml:"upstream"`
	ContextWindow   int      `yaml:"context_window"`
	MaxOutputTokens int      `yaml:"max_output_tokens"`
	Dimensions      int      `yaml:"dimensions"`
	InputPrice      string   `yaml:"input_price"`
	CachedPrice     string   `yaml:"cached_input_price"`
	OutputPrice     string   `yaml:"output_price"`
	Capabilities    []string `yaml:"capabilities"`
	DropParams      bool     `yaml:"drop_params"`
}

func loadModels(path string, providers map[string]*Provider) ([]*Model, error) {
	var f modelFile
	if err := decodeStrict(path, &f); err != nil {
		return nil, err
	}
	if len(f.Models) == 0 {
		return nil, fmt.Errorf("%s: no models defined", path)
	}
	seen := map[string]bool{}
	out := make([]*Model, 0, len(f.Models))
	for i, y := range f.Models {
		m, err := buildModel(y, providers)
		if err != nil {
			return nil, fmt.Errorf("%s: models[%d] (%q): %w", path, i, y.ID, err)
		}
		if seen[m.ID] {
			return nil, fmt.Errorf("%s: model %q defined twice", path, m.ID)
		}
		seen[m.ID] = true
		out = append(out, m)
	}
	return out, nil
}

func buildModel(y modelYAML, providers map[string]*Provider) (*Model, error) {
	if y.ID == "" || len(y.ID) > 128 {
		return nil, fmt.Errorf("id %q: must be 1 to 128 characters", y.ID)
	}
	if _, ok := providers[y.Provider]; !ok {
		return nil, fmt.Errorf("provider %q is not defined in providers.yaml", y.Provider)
	}
	m := &Model{
		ID: y.ID, Provider: y.Provider, Upstream: y.Upstream,
		ContextWindow: y.ContextWindow, MaxOutputTokens: y.MaxOutputTokens,
		Dimensions: y.Dimensions, Capabilities: y.Capabilities, DropParams: y.DropParams,
	}
	if m.Upstream == "" {
		m.Upstream = m.ID
	}
	if m.ContextWindow <= 0 {
		return nil, fmt.Errorf("context_window %d: must be positive", y.ContextWindow)
	}
	if m.MaxOutputTokens < 0 || m.MaxOutputTokens > m.ContextWindow {
		return nil, fmt.Errorf("max_output_tokens %d: must be between 0 and context_window", y.MaxOutputTokens)
	}
	if len(m.Capabilities) == 0 {
		return nil, fmt.Errorf("capabilities: list at least one of %v", knownCaps)
	}
	for _, c := range m.Capabilities {
		if !slices.Contains(knownCaps, c) {
			return nil, fmt.Errorf("capability %q: want one of %v", c, knownCaps)
		}
	}
	if m.Has(CapEmbeddings) && m.Dimensions <= 0 {
		return nil, fmt.Errorf("dimensions %d: embedding models need a positive dimensions", y.Dimensions)
	}
	var err error
	if m.InputRate, err = money.ParseRate(y.InputPrice); err != nil {
		return nil, fmt.Errorf("input_price: %w", err)
	}
	if m.OutputRate, err = money.ParseRate(orZero(y.OutputPrice, m)); err != nil {
		return nil, fmt.Errorf("output_price: %w", err)
	}
	if y.CachedPrice != "" {
		if m.CachedInputRate, err = money.ParseRate(y.CachedPrice); err != nil {
			return nil, fmt.Errorf("cached_input_price: %w", err)
		}
	}
	return m, nil
}

// orZero lets embedding-only models omit output_price; chat models must state it.
func orZero(price string, m *Model) string {
	if price == "" && !m.Has(CapChat) {
		return "0"
	}
	return price
}
