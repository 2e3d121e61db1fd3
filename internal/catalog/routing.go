package catalog

import (
	"fmt"
	"sort"
	"time"
)

// Strategies for choosing among a group's deployments.
const (
	// StrategyWeighted picks a deployment at random in proportion to its
	// weight; the others follow, heaviest first, if it fails.
	StrategyWeighted = "weighted"
	// StrategyLowestLatency picks the deployment with the lowest moving
	// average time to first token; one never measured is tried first.
	StrategyLowestLatency = "lowest-latency"
	// StrategyLowestCost picks the deployment with the lowest list price
	// (input plus output per token).
	StrategyLowestCost = "lowest-cost"
	// StrategyPriority tries deployments in the order they are listed.
	StrategyPriority = "priority"
)

var knownStrategies = map[string]bool{
	StrategyWeighted: true, StrategyLowestLatency: true, StrategyLowestCost: true, StrategyPriority: true,
}

// RoutingRules is routing_rules.yaml, as loaded.
type RoutingRules struct {
	// Aliases maps a name clients may send to a model id of models.yaml.
	Aliases map[string]string `yaml:"aliases"`
	// Defaults are the retry, timeout and cool-down settings of every route
	// that does not override them.
	Defaults PolicyYAML `yaml:"defaults"`
	// Groups are names clients may send that spread calls over several
	// deployments (models of models.yaml, perhaps of different providers).
	Groups map[string]GroupYAML `yaml:"groups"`
	// Models holds per-model rules (fallbacks, policy) for models clients
	// name directly.
	Models map[string]ModelRuleYAML `yaml:"models"`
}

// PolicyYAML is how hard a route tries. Every field is optional; unset fields
// take the defaults' value, and the defaults take the values documented here.
type PolicyYAML struct {
	// Retries is how many more times a deployment is called after a retryable
	// failure (5xx, timeout, connection error; a 429 only when no other
	// deployment or fallback can take the call) before the next one is tried
	// (default 0).
	Retries *int `yaml:"retries"`
	// Backoff is the base delay before a retry, doubled each time, with full
	// jitter (default 200ms).
	Backoff string `yaml:"backoff"`
	// MaxBackoff caps one retry delay; a retry waits the provider's
	// Retry-After when it sent one, and a 429 whose Retry-After is longer is
	// not retried (default 5s).
	MaxBackoff string `yaml:"max_backoff"`
	// AttemptTimeout bounds one call up to the first byte of its answer
	// (default 0: only the provider's timeouts apply).
	AttemptTimeout string `yaml:"attempt_timeout"`
	// Cooldown is how long a deployment is skipped after it failed
	// CooldownFailures times in a row, when the provider's last answer did not
	// say how long itself with Retry-After (default 30s; 0s disables).
	Cooldown string `yaml:"cooldown"`
	// CooldownFailures is the number of consecutive retryable failures, rate
	// limits included, that starts a cool-down (default 3).
	CooldownFailures *int `yaml:"cooldown_failures"`
}

// GroupYAML is one entry of `groups:`.
type GroupYAML struct {
	// Strategy is weighted (default), lowest-latency, lowest-cost or priority.
	Strategy string `yaml:"strategy"`
	// Deployments are the models that serve the group.
	Deployments []DeploymentYAML `yaml:"deployments"`
	// Fallbacks are models or groups tried in order when every deployment
	// failed with a retryable error.
	Fallbacks []string `yaml:"fallbacks"`
	// ContextWindowFallbacks are models or groups with a larger context tried
	// in order when the prompt does not fit.
	ContextWindowFallbacks []string `yaml:"context_window_fallbacks"`
	// Policy overrides the defaults for this group.
	PolicyYAML `yaml:",inline"`
}

// DeploymentYAML is one deployment of a group.
type DeploymentYAML struct {
	// Model is a model id of models.yaml.
	Model string `yaml:"model"`
	// Weight is the share of calls under the weighted strategy (default 1).
	Weight *int `yaml:"weight"`
}

// ModelRuleYAML is one entry of `models:`.
type ModelRuleYAML struct {
	// Fallbacks and ContextWindowFallbacks are as for groups.
	Fallbacks              []string `yaml:"fallbacks"`
	ContextWindowFallbacks []string `yaml:"context_window_fallbacks"`
	// Policy overrides the defaults for this model.
	PolicyYAML `yaml:",inline"`
}

// Policy is a resolved PolicyYAML.
type Policy struct {
	Retries          int
	Backoff          time.Duration
	MaxBackoff       time.Duration
	AttemptTimeout   time.Duration
	Cooldown         time.Duration
	CooldownFailures int
}

// DefaultPolicy is the policy when routing_rules.yaml sets none.
var DefaultPolicy = Policy{Backoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second, Cooldown: 30 * time.Second, CooldownFailures: 3}

// Deployment is one model a route can call, with its weight.
type Deployment struct {
	Model  *Model
	Weight int
}

// Route is what a name clients send resolves to: the deployments to choose
// from, how to choose, what to fall back to, and how hard to try.
type Route struct {
	// Name is the model, alias target or group name.
	Name string
	// Strategy is one of the Strategy constants.
	Strategy string
	// Deployments has at least one entry.
	Deployments []Deployment
	// Fallbacks and ContextWindowFallbacks name other routes, tried in order.
	Fallbacks, ContextWindowFallbacks []string
	Policy                            Policy
}

func (p PolicyYAML) resolve(base Policy) (Policy, error) {
	out := base
	if p.Retries != nil {
		if *p.Retries < 0 || *p.Retries > 10 {
			return out, fmt.Errorf("retries %d: want 0 to 10", *p.Retries)
		}
		out.Retries = *p.Retries
	}
	if p.CooldownFailures != nil {
		if *p.CooldownFailures < 1 {
			return out, fmt.Errorf("cooldown_failures %d: want at least 1", *p.CooldownFailures)
		}
		out.CooldownFailures = *p.CooldownFailures
	}
	for _, d := range []struct {
		field, in string
		out       *time.Duration
	}{
		{"backoff", p.Backoff, &out.Backoff},
		{"max_backoff", p.MaxBackoff, &out.MaxBackoff},
		{"attempt_timeout", p.AttemptTimeout, &out.AttemptTimeout},
		{"cooldown", p.Cooldown, &out.Cooldown},
	} {
		v, err := parseDuration(d.in, *d.out)
		if err != nil {
			return out, fmt.Errorf("%s %q: %w", d.field, d.in, err)
		}
		*d.out = v
	}
	return out, nil
}

func loadRoutingRules(path string, models map[string]*Model) (*RoutingRules, map[string]*Route, error) {
	var r RoutingRules
	if err := decodeStrict(path, &r); err != nil {
		return nil, nil, err
	}
	for alias, target := range r.Aliases {
		if _, clash := models[alias]; clash {
			return nil, nil, fmt.Errorf("%s: alias %q hides the model of the same name", path, alias)
		}
		if _, ok := models[target]; !ok {
			if _, group := r.Groups[target]; !group {
				return nil, nil, fmt.Errorf("%s: alias %q points to %q, which is not in models.yaml", path, alias, target)
			}
		}
	}
	if r.Aliases == nil {
		r.Aliases = map[string]string{}
	}
	routes, err := buildRoutes(&r, models)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, routes, nil
}

// buildRoutes makes a route for every model (one deployment) and every group,
// then checks that fallbacks name routes.
func buildRoutes(r *RoutingRules, models map[string]*Model) (map[string]*Route, error) {
	def, err := r.Defaults.resolve(DefaultPolicy)
	if err != nil {
		return nil, fmt.Errorf("defaults: %w", err)
	}
	routes := make(map[string]*Route, len(models)+len(r.Groups))
	for id, m := range models {
		routes[id] = &Route{Name: id, Strategy: StrategyPriority, Deployments: []Deployment{{Model: m, Weight: 1}}, Policy: def}
	}
	for id, rule := range r.Models {
		rt, ok := routes[id]
		if !ok {
			return nil, fmt.Errorf("models: %q is not in models.yaml", id)
		}
		if rt.Policy, err = rule.PolicyYAML.resolve(def); err != nil {
			return nil, fmt.Errorf("models: %q: %w", id, err)
		}
		rt.Fallbacks, rt.ContextWindowFallbacks = rule.Fallbacks, rule.ContextWindowFallbacks
	}
	for _, name := range sortedKeys(r.Groups) {
		rt, err := buildGroup(name, r.Groups[name], models, r.Aliases, def)
		if err != nil {
			return nil, fmt.Errorf("groups: %q: %w", name, err)
		}
		routes[name] = rt
	}
	for _, name := range sortedKeys(routes) {
		rt := routes[name]
		for _, list := range [][]string{rt.Fallbacks, rt.ContextWindowFallbacks} {
			for _, fb := range list {
				if _, ok := routes[fb]; !ok {
					return nil, fmt.Errorf("%q: fallback %q is neither a model nor a group", name, fb)
				}
				if fb == name {
					return nil, fmt.Errorf("%q: fallback %q is the route itself", name, fb)
				}
			}
		}
	}
	return routes, nil
}

func buildGroup(name string, g GroupYAML, models map[string]*Model, aliases map[string]string, def Policy) (*Route, error) {
	if _, clash := models[name]; clash {
		return nil, fmt.Errorf("the group hides the model of the same name")
	}
	if _, clash := aliases[name]; clash {
		return nil, fmt.Errorf("the group has the name of an alias")
	}
	rt := &Route{Name: name, Strategy: g.Strategy, Fallbacks: g.Fallbacks, ContextWindowFallbacks: g.ContextWindowFallbacks}
	if rt.Strategy == "" {
		rt.Strategy = StrategyWeighted
	}
	if !knownStrategies[rt.Strategy] {
		return nil, fmt.Errorf("strategy %q: want weighted, lowest-latency, lowest-cost or priority", g.Strategy)
	}
	if len(g.Deployments) == 0 {
		return nil, fmt.Errorf("deployments: list at least one")
	}
	var err error
	if rt.Policy, err = g.PolicyYAML.resolve(def); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, d := range g.Deployments {
		m, ok := models[d.Model]
		if !ok {
			return nil, fmt.Errorf("deployments[%d]: model %q is not in models.yaml", i, d.Model)
		}
		if seen[d.Model] {
			return nil, fmt.Errorf("deployments[%d]: model %q listed twice", i, d.Model)
		}
		seen[d.Model] = true
		w := 1
		if d.Weight != nil {
			w = *d.Weight
		}
		if w < 0 || w > 1000000 {
			return nil, fmt.Errorf("deployments[%d]: weight %d: want 0 to 1000000", i, w)
		}
		rt.Deployments = append(rt.Deployments, Deployment{Model: m, Weight: w})
	}
	if rt.Strategy == StrategyWeighted && totalWeight(rt.Deployments) == 0 {
		return nil, fmt.Errorf("weights: at least one deployment needs a positive weight")
	}
	return rt, nil
}

func totalWeight(ds []Deployment) int {
	n := 0
	for _, d := range ds {
		n += d.Weight
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
