// Package catalog loads aigw's model catalog, provider list and routing rules
// (configs/models.yaml, providers.yaml, routing_rules.yaml) and answers which
// model a request names, who serves it and what it costs. It is shared by the
// gateway and the admin API and never imports Caddy.
package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Catalog is the loaded, validated configuration. It is immutable after Load and
// safe for concurrent use.
type Catalog struct {
	models    map[string]*Model
	ordered   []*Model
	providers map[string]*Provider
	aliases   map[string]string
	routes    map[string]*Route
}

// Paths names the three configuration files.
type Paths struct {
	Models       string
	Providers    string
	RoutingRules string
}

// DefaultPaths are the files `make run` and the shipped Caddyfile use.
var DefaultPaths = Paths{
	Models:       "configs/models.yaml",
	Providers:    "configs/providers.yaml",
	RoutingRules: "configs/routing_rules.yaml",
}

// ErrUnknownModel is returned by Resolve for a model id that is neither in the
// catalog nor an alias.
var ErrUnknownModel = errors.New("unknown model")

// Load reads and validates the three files. getenv supplies provider keys and
// base URLs (os.Getenv in production). Every error names the file and quotes the
// bad value.
func Load(p Paths, getenv func(string) string) (*Catalog, error) {
	providers, err := loadProviders(p.Providers, getenv)
	if err != nil {
		return nil, err
	}
	models, err := loadModels(p.Models, providers)
	if err != nil {
		return nil, err
	}
	c := &Catalog{models: map[string]*Model{}, providers: providers, ordered: models}
	for _, m := range models {
		c.models[m.ID] = m
	}
	rules, routes, err := loadRoutingRules(p.RoutingRules, c.models)
	if err != nil {
		return nil, err
	}
	c.aliases, c.routes = rules.Aliases, routes
	return c, nil
}

// Resolve returns the model that name refers to, following aliases; for a
// group it returns the group's first deployment.
func (c *Catalog) Resolve(name string) (*Model, error) {
	if m, ok := c.models[name]; ok {
		return m, nil
	}
	rt, err := c.Route(name)
	if err != nil {
		return nil, err
	}
	return rt.Deployments[0].Model, nil
}

// Route returns the route that name refers to (a model, an alias of one, or
// a group), with its deployments, strategy, fallbacks and policy.
func (c *Catalog) Route(name string) (*Route, error) {
	if rt, ok := c.routes[name]; ok {
		return rt, nil
	}
	if target, ok := c.aliases[name]; ok {
		return c.routes[target], nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownModel, name)
}

// RouteNamed returns the route of a model or group id (no alias), or nil.
func (c *Catalog) RouteNamed(id string) *Route { return c.routes[id] }

// Groups returns the names of the routing groups, sorted.
func (c *Catalog) Groups() []string {
	var out []string
	for name, rt := range c.routes {
		if _, model := c.models[name]; !model {
			out = append(out, rt.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Models returns every model in file order.
func (c *Catalog) Models() []*Model { return c.ordered }

// Provider returns the named provider, or nil.
func (c *Catalog) Provider(name string) *Provider { return c.providers[name] }

// Providers returns every provider sorted by name.
func (c *Catalog) Providers() []*Provider {
	out := make([]*Provider, 0, len(c.providers))
	for _, p := range c.providers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// decodeStrict decodes one YAML document into v, refusing unknown fields so a
// misspelt key fails at load time instead of being ignored.
func decodeStrict(path string, v any) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(body))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("parsing %s: %w", path, err)
	}
	return nil
}
