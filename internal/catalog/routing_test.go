package catalog

import (
	"strings"
	"testing"
	"time"
)

const twoModels = goodModels + `  - id: m2
    provider: mock
    context_window: 2000
    input_price: "0.5"
    output_price: "1"
    capabilities: [chat]
`

func TestRoutingRulesErrorsQuoteTheBadValue(t *testing.T) {
	tests := []struct {
		name, rules, want string
	}{
		{"bad strategy", "groups:\n  g:\n    strategy: fastest\n    deployments: [{model: m1}]\n", `strategy "fastest"`},
		{"unknown deployment", "groups:\n  g:\n    deployments: [{model: nope}]\n", `model "nope" is not in models.yaml`},
		{"no deployments", "groups:\n  g:\n    strategy: priority\n", "list at least one"},
		{"duplicate deployment", "groups:\n  g:\n    deployments: [{model: m1}, {model: m1}]\n", `"m1" listed twice`},
		{"negative weight", "groups:\n  g:\n    deployments: [{model: m1, weight: -2}]\n", "weight -2"},
		{"all weights zero", "groups:\n  g:\n    deployments: [{model: m1, weight: 0}]\n", "positive weight"},
		{"group hides a model", "groups:\n  m1:\n    deployments: [{model: m2}]\n", `"m1": the group hides the model`},
		{"unknown fallback", "groups:\n  g:\n    deployments: [{model: m1}]\n    fallbacks: [ghost]\n", `fallback "ghost"`},
		{"self fallback", "models:\n  m1:\n    fallbacks: [m1]\n", `fallback "m1" is the route itself`},
		{"rule for unknown model", "models:\n  zz:\n    retries: 1\n", `"zz" is not in models.yaml`},
		{"bad backoff", "defaults:\n  backoff: soon\n", `backoff "soon"`},
		{"too many retries", "defaults:\n  retries: 50\n", "retries 50"},
		{"bad cooldown failures", "groups:\n  g:\n    cooldown_failures: 0\n    deployments: [{model: m1}]\n", "cooldown_failures 0"},
		{"misspelt group field", "groups:\n  g:\n    deployment: [{model: m1}]\n", "deployment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeConfigs(t, twoModels, goodProviders, tt.rules), env(nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRoutingRulesResolve(t *testing.T) {
	rules := `
defaults:
  retries: 2
  backoff: 50ms
  cooldown: 10s
aliases:
  smart: g
groups:
  g:
    strategy: lowest-cost
    attempt_timeout: 3s
    deployments:
      - model: m1
        weight: 3
      - model: m2
    fallbacks: [m2]
    context_window_fallbacks: [m2]
models:
  m1:
    retries: 0
    fallbacks: [g]
`
	c, err := Load(writeConfigs(t, twoModels, goodProviders, rules), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.Route("smart")
	if err != nil || g.Name != "g" || g.Strategy != StrategyLowestCost || len(g.Deployments) != 2 || g.Deployments[0].Weight != 3 || g.Deployments[1].Weight != 1 {
		t.Fatalf("smart = %+v, %v", g, err)
	}
	want := Policy{Retries: 2, Backoff: 50 * time.Millisecond, MaxBackoff: 5 * time.Second, AttemptTimeout: 3 * time.Second, Cooldown: 10 * time.Second, CooldownFailures: 3}
	if g.Policy != want {
		t.Errorf("group policy = %+v, want %+v", g.Policy, want)
	}
	m1 := c.RouteNamed("m1")
	if m1.Policy.Retries != 0 || m1.Policy.Backoff != 50*time.Millisecond || len(m1.Fallbacks) != 1 || m1.Strategy != StrategyPriority {
		t.Errorf("m1 route = %+v", m1)
	}
	if m, err := c.Resolve("smart"); err != nil || m.ID != "m1" {
		t.Errorf("Resolve(smart) = %v, %v; want the group's first deployment", m, err)
	}
	if got := c.Groups(); len(got) != 1 || got[0] != "g" {
		t.Errorf("Groups() = %v", got)
	}
	if plain := c.RouteNamed("m2"); plain.Policy.Retries != 2 || len(plain.Deployments) != 1 {
		t.Errorf("m2 route = %+v", plain)
	}
}

func TestAzureProvider(t *testing.T) {
	prov := "providers:\n  az:\n    type: azure\n    base_url: https://r.openai.azure.com\n    api_key_env: AZ\n"
	models := "models:\n  - {id: a, provider: az, context_window: 10, input_price: \"1\", output_price: \"1\", capabilities: [chat]}\n"
	c, err := Load(writeConfigs(t, models, prov, ""), env(map[string]string{"AZ": "k"}))
	if err != nil || c.Provider("az").APIVersion != DefaultAzureAPIVersion {
		t.Fatalf("azure: %v, %+v", err, c)
	}
	for bad, want := range map[string]string{
		prov + "    api_version: yesterday\n":                                                     `api_version "yesterday"`,
		strings.Replace(prov, "type: azure", "type: openai", 1) + "    api_version: 2024-10-21\n": "applies only to type azure",
	} {
		if _, err := Load(writeConfigs(t, models, bad, ""), env(nil)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}

func TestShippedRoutingRules(t *testing.T) {
	c, err := Load(Paths{Models: "../../configs/models.yaml", Providers: "../../configs/providers.yaml", RoutingRules: "../../configs/routing_rules.yaml"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"default", "bank-assistant", "fast", "economy", "on-prem-first"} {
		rt, err := c.Route(name)
		if err != nil || len(rt.Deployments) < 2 {
			t.Errorf("%s = %+v, %v", name, rt, err)
		}
	}
	if p := c.Provider("azure"); p == nil || p.Type != TypeAzure || p.APIVersion == "" {
		t.Errorf("azure provider = %v", p)
	}
}
