package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
)

// TestEveryPathAnswersJSON walks paths and methods outside the AI
// endpoints through the shipped Caddyfile: unknown /v1 and /api paths are
// a JSON 404, methods other than GET and HEAD outside the API a JSON 405,
// and an SDK sees them as its usual errors.
func TestEveryPathAnswersJSON(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	for _, tt := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"POST", "/foo", 405, "method_not_allowed"},
		{"DELETE", "/", 405, "method_not_allowed"},
		{"PUT", "/healthz", 405, "method_not_allowed"},
		{"POST", "/metrics", 405, "method_not_allowed"},
		{"GET", "/api/foo", 404, "unknown_url"},
		{"POST", "/api/v2/chat/completions", 404, "unknown_url"},
		{"PATCH", "/api/v1/files", 404, "unknown_url"},
		{"POST", "/v1/foo", 404, "unknown_url"},
		{"POST", "/v1/completions", 404, "unknown_url"},
		{"GET", "/v1/chat/completions", 405, "method_not_allowed"},
		{"DELETE", "/api/v1/embeddings", 405, "method_not_allowed"},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, g.URL+tt.path, strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer "+g.Key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var e struct {
				Error struct {
					Message, Type string
					Code          *string
				}
			}
			if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
				json.Unmarshal(b, &e) != nil || e.Error.Code == nil || *e.Error.Code != tt.code || e.Error.Message == "" || e.Error.Type == "" {
				t.Errorf("%d %s %s; want %d with a JSON error %s", resp.StatusCode, resp.Header.Get("Content-Type"), b, tt.status, tt.code)
			}
			if tt.status == 405 && resp.Header.Get("Allow") == "" {
				t.Error("a 405 without Allow")
			}
		})
	}
	// Every other GET is the dashboard's: its page (or, in a binary built
	// before the dashboard, a 503 saying so), under its CSP.
	for _, path := range []string{"/", "/foo", "/keys"} {
		resp, _ := g.rawCall(t, path, "", nil)
		if (resp.StatusCode != 200 && resp.StatusCode != 503) || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("GET %s: %d, CSP %q; want the dashboard", path, resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
		}
	}
	for _, path := range []string{"/healthz", "/metrics"} {
		if resp, _ := g.rawCall(t, path, "", nil); resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	var apiErr *openai.Error
	c := g.client()
	err := c.Post(context.Background(), "nowhere", map[string]any{"x": 1}, nil)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "unknown_url" {
		t.Errorf("the SDK posting to an unknown path: %v", err)
	}
}
