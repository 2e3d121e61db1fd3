package server

import (
	"net/http"

	"github.com/aigw/aigw/internal/store"
)

func init() {
	addRoutes(Route{Method: "GET", Path: "/models", Perm: PermModelsRead, Handle: listModels,
		Doc: Doc{Tag: "models", Summary: "The model catalog: providers, prices, context windows, capabilities, and which of the tenant's keys may use each",
			Response: List[Model]{}}})
}

// Model is a catalog entry.
type Model struct {
	ID              string   `json:"id"`
	Provider        string   `json:"provider"`
	Upstream        string   `json:"upstream" doc:"the provider's model name"`
	ContextWindow   int      `json:"context_window" doc:"tokens"`
	MaxOutputTokens int      `json:"max_output_tokens,omitempty"`
	InputPrice      string   `json:"input_price_per_million_usd"`
	CachedPrice     string   `json:"cached_input_price_per_million_usd"`
	OutputPrice     string   `json:"output_price_per_million_usd"`
	Capabilities    []string `json:"capabilities"`
	UsableByKeys    int      `json:"usable_by_keys" doc:"how many of the tenant's usable keys (a user's own) may call it"`
}

func listModels(c *Call) error {
	globs, err := c.Store().ActiveKeyModels(c.R.Context(), c.srv.now())
	if err != nil {
		return err
	}
	out := List[Model]{Data: []Model{}}
	for _, m := range c.srv.res.catalog.Models() {
		n := 0
		for _, g := range globs {
			if (&store.KeyRecord{AllowedModels: g}).AllowsModel(m.ID) {
				n++
			}
		}
		caps := m.Capabilities
		if caps == nil {
			caps = []string{}
		}
		out.Data = append(out.Data, Model{ID: m.ID, Provider: m.Provider, Upstream: m.Upstream, ContextWindow: m.ContextWindow,
			MaxOutputTokens: m.MaxOutputTokens, InputPrice: m.InputRate.PerMillion(), CachedPrice: m.CachedInputRate.PerMillion(),
			OutputPrice: m.OutputRate.PerMillion(), Capabilities: caps, UsableByKeys: n})
	}
	out.Total = len(out.Data)
	return c.JSON(http.StatusOK, out)
}
