package server

import (
	"fmt"
	"os"

	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/guard"
)

// ConfigPaths are the gateway's configuration files the admin API reads, so
// that it shows and tests what the gateway runs.
type ConfigPaths struct {
	// Models, Providers and RoutingRules are the model catalog's files
	// (default configs/models.yaml, configs/providers.yaml, configs/routing_rules.yaml).
	Models, Providers, RoutingRules string
	// Guardrails is the guardrail policies file (default configs/guardrails.yaml).
	Guardrails string
}

// resources are loaded once, at start.
type resources struct {
	catalog   *catalog.Catalog
	templates map[string]*guard.Policy
	engine    *guard.Engine
}

func loadResources(p ConfigPaths) (*resources, error) {
	d := catalog.DefaultPaths
	if p.Models == "" {
		p.Models = d.Models
	}
	if p.Providers == "" {
		p.Providers = d.Providers
	}
	if p.RoutingRules == "" {
		p.RoutingRules = d.RoutingRules
	}
	if p.Guardrails == "" {
		p.Guardrails = "configs/guardrails.yaml"
	}
	cat, err := catalog.Load(catalog.Paths{Models: p.Models, Providers: p.Providers, RoutingRules: p.RoutingRules}, os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("admin API: %w", err)
	}
	templates, err := guard.LoadPolicies(p.Guardrails)
	if err != nil {
		return nil, fmt.Errorf("admin API: %w", err)
	}
	engine, err := guard.NewEngine(guard.Options{})
	if err != nil {
		return nil, fmt.Errorf("admin API: %w", err)
	}
	return &resources{catalog: cat, templates: templates, engine: engine}, nil
}
