package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// TestShippedChainIsOneRoute checks the shipped Caddyfile's API handle: the
// five aigw handlers in one route, in the order written, with no nested
// route block (Caddy compiles every subroute again on each request).
func TestShippedChainIsOneRoute(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot, "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := caddyconfig.GetAdapter("caddyfile").Adapt(src, map[string]any{"filename": "Caddyfile"})
	if err != nil {
		t.Fatal(err)
	}
	type route struct {
		Match  []map[string]any `json:"match"`
		Handle []struct {
			Handler string  `json:"handler"`
			Routes  []route `json:"routes"`
		} `json:"handle"`
	}
	var cfg struct {
		Apps struct {
			HTTP struct {
				Servers map[string]struct {
					Routes []route `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatal(err)
	}
	want := "[aigw_auth aigw_meter aigw_ratelimit aigw_guardrail aigw_route]"
	for _, srv := range cfg.Apps.HTTP.Servers {
		for _, r := range srv.Routes {
			if len(r.Match) == 0 || !strings.Contains(fmt.Sprint(r.Match[0]["path"]), "/v1/*") {
				continue
			}
			if len(r.Handle) != 1 || r.Handle[0].Handler != "subroute" || len(r.Handle[0].Routes) != 1 {
				t.Fatalf("the API route is not one subroute of one route: %+v", r)
			}
			var got []string
			for _, h := range r.Handle[0].Routes[0].Handle {
				got = append(got, h.Handler)
			}
			if fmt.Sprint(got) != want {
				t.Fatalf("API handlers %v, want %s", got, want)
			}
			return
		}
	}
	t.Fatal("no route for /v1/* in the shipped Caddyfile")
}
