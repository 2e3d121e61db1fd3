package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestShippedConfigsLoad loads the repository's own configs/ files.
func TestShippedConfigsLoad(t *testing.T) {
	root := "../../configs"
	c, err := Load(Paths{
		Models:       filepath.Join(root, "models.yaml"),
		Providers:    filepath.Join(root, "providers.yaml"),
		RoutingRules: filepath.Join(root, "routing_rules.yaml"),
	}, env(map[string]string{"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}))
	if err != nil {
		t.Fatalf("shipped configs: %v", err)
	}
	gpt, err := c.Resolve("gpt-4o")
	if err != nil || gpt.Provider != "openai" || gpt.InputRate.PerMillion() != "2.5" || gpt.OutputRate.PerMillion() != "10" {
		t.Errorf("gpt-4o = %+v, %v", gpt, err)
	}
	if p := c.Provider("openai"); p.BaseURL != "http://127.0.0.1:9/v1" || p.APIKey != "sk-test" {
		t.Errorf("openai provider did not take its base URL and key from the environment: %v", p)
	}
	if ok, why := c.Provider("anthropic").Available(); ok || !strings.Contains(why, "ANTHROPIC_API_KEY") {
		t.Errorf("anthropic without key: available=%v why=%q", ok, why)
	}
	if m, err := c.Resolve("claude-sonnet"); err != nil || m.ID != "claude-sonnet-4-5" {
		t.Errorf("alias claude-sonnet = %v, %v", m, err)
	}
	for _, want := range []string{"openai", "anthropic", "gemini", "mock"} {
		found := false
		for _, m := range c.Models() {
			if c.Provider(m.Provider).Type == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no model of provider type %s in the shipped catalog", want)
		}
	}
	if mock := c.Provider("mock"); mock.Type != TypeMock {
		t.Errorf("mock provider type = %q", mock.Type)
	}
}

func TestModelCostIsExact(t *testing.T) {
	m := &Model{}
	var err error
	m.InputRate, _ = parse("2.50")
	m.CachedInputRate, _ = parse("1.25")
	m.OutputRate, err = parse("10.00")
	if err != nil {
		t.Fatal(err)
	}
	// 1000 prompt tokens of which 400 cached, 500 completion tokens:
	// 600*2.5e-6 + 400*1.25e-6 + 500*10e-6 = 0.0015 + 0.0005 + 0.005 = 0.007
	if got := m.Cost(1000, 400, 500).String(); got != "0.007000000000" {
		t.Errorf("cost = %s, want 0.007000000000", got)
	}
}

// writeConfigs writes the three files into a temp dir and returns their paths.
func writeConfigs(t *testing.T, models, providers, rules string) Paths {
	t.Helper()
	dir := t.TempDir()
	p := Paths{
		Models:       filepath.Join(dir, "models.yaml"),
		Providers:    filepath.Join(dir, "providers.yaml"),
		RoutingRules: filepath.Join(dir, "routing_rules.yaml"),
	}
	for path, body := range map[string]string{p.Models: models, p.Providers: providers, p.RoutingRules: rules} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

const goodProviders = `
providers:
  up:
    type: openai-compatible
    base_url: http://127.0.0.1:8000/v1
    timeout: 30s
  mock:
    type: mock
    latency: 5ms
`

const goodModels = `
models:
  - id: m1
    provider: up
    context_window: 1000
    input_price: "1"
    output_price: "2"
    capabilities: [chat]
  - id: e1
    provider: mock
    context_window: 1000
    dimensions: 4
    input_price: "0.1"
    capabilities: [embeddings]
`

func TestLoadErrorsQuoteTheBadValue(t *testing.T) {
	tests := []struct {
		name                     string
		models, providers, rules string
		want                     string
	}{
		{"unknown provider type", goodModels, strings.Replace(goodProviders, "openai-compatible", "openia", 1), "", `type "openia"`},
		{"bad base URL", goodModels, strings.Replace(goodProviders, "http://127.0.0.1:8000/v1", "127.0.0.1:8000", 1), "", `base_url "127.0.0.1:8000"`},
		{"bad timeout", goodModels, strings.Replace(goodProviders, "30s", "thirty", 1), "", `timeout "thirty"`},
		{"hosted without key env", goodModels, "providers:\n  o:\n    type: openai\n    base_url: https://x.test/v1\n", "", "api_key_env is required"},
		{"latency on a real provider", goodModels, strings.Replace(goodProviders, "timeout: 30s", "latency: 1s", 1), "", "only to type mock"},
		{"misspelt field", strings.Replace(goodModels, "input_price", "inptu_price", 1), goodProviders, "", "inptu_price"},
		{"bad price", strings.Replace(goodModels, `input_price: "1"`, `input_price: "1,5"`, 1), goodProviders, "", `price "1,5"`},
		{"missing output price on chat", strings.Replace(goodModels, `    output_price: "2"`+"\n", "", 1), goodProviders, "", "output_price"},
		{"unknown capability", strings.Replace(goodModels, "[chat]", "[chatt]", 1), goodProviders, "", `capability "chatt"`},
		{"model of undefined provider", strings.Replace(goodModels, "provider: up", "provider: nobody", 1), goodProviders, "", `provider "nobody"`},
		{"duplicate model", strings.Replace(goodModels, "id: e1", "id: m1", 1), goodProviders, "", `"m1" defined twice`},
		{"embedding without dimensions", strings.Replace(goodModels, "dimensions: 4", "dimensions: 0", 1), goodProviders, "", "dimensions 0"},
		{"alias to unknown model", goodModels, goodProviders, "aliases:\n  a: nope\n", `points to "nope"`},
		{"alias hiding a model", goodModels, goodProviders, "aliases:\n  m1: e1\n", `alias "m1" hides`},
		{"unknown rules field", goodModels, goodProviders, "fallbacks: []\n", "fallbacks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeConfigs(t, tt.models, tt.providers, tt.rules), env(nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadGood(t *testing.T) {
	c, err := Load(writeConfigs(t, goodModels, goodProviders, "aliases:\n  fast: m1\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Provider("mock"); p.MockLatency != 5*time.Millisecond {
		t.Errorf("mock latency = %v", p.MockLatency)
	}
	if p := c.Provider("up"); p.Timeout != 30*time.Second || p.ConnectTimeout != 5*time.Second || p.KeyRequired {
		t.Errorf("up = %+v", p)
	}
	if _, err := c.Resolve("nope"); err == nil {
		t.Error("Resolve(nope) succeeded")
	}
	if m, _ := c.Resolve("fast"); m.ID != "m1" || m.Upstream != "m1" {
		t.Errorf("alias fast = %+v", m)
	}
	if e, _ := c.Resolve("e1"); e.OutputRate != 0 || !e.Has(CapEmbeddings) {
		t.Errorf("e1 = %+v", e)
	}
}
