package e2e

import (
	"encoding/json"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
)

// TestDirectiveOrderOutsideRoute checks the registered order: written in any
// order outside a route block, aigw_auth runs before aigw_route.
func TestDirectiveOrderOutsideRoute(t *testing.T) {
	out, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(":8080 {\n\taigw_route\n\taigw_auth\n}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Apps struct {
			HTTP struct {
				Servers map[string]struct {
					Routes []struct {
						Handle []struct {
							Handler string `json:"handler"`
						} `json:"handle"`
					} `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range cfg.Apps.HTTP.Servers["srv0"].Routes {
		for _, h := range r.Handle {
			order = append(order, h.Handler)
		}
	}
	if len(order) != 2 || order[0] != "aigw_auth" || order[1] != "aigw_route" {
		t.Errorf("handler order = %v, want [aigw_auth aigw_route]", order)
	}
}
