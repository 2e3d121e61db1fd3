package catalog

import (
	"path/filepath"
	"testing"
)

// TestRouteTestConfigsLoad loads the e2e routing tests' configuration.
func TestRouteTestConfigsLoad(t *testing.T) {
	dir := "../../caddyplugins/e2e/testdata/route"
	c, err := Load(Paths{Models: filepath.Join(dir, "models.yaml"), Providers: filepath.Join(dir, "providers.yaml"), RoutingRules: filepath.Join(dir, "routing_rules.yaml")},
		env(map[string]string{"FAKE_BASE_URL": "http://127.0.0.1:9/v1", "FAKE_API_KEY": "k", "AZURE_FAKE_URL": "http://127.0.0.1:9"}))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := c.Route("bank")
	if err != nil || rt.Name != "overloaded-then-gemini" || len(rt.Deployments) != 2 {
		t.Errorf("bank = %+v, %v", rt, err)
	}
}
