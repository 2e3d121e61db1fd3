package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestRouteFallbacksHideFailures injects provider faults behind groups that
// have somewhere to go, and checks that the client sees an answer, from the
// deployment the rules say, after the attempts they allow.
func TestRouteFallbacksHideFailures(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	tests := []struct {
		name, model, wantProvider, wantDeployment, wantAttempts string
	}{
		{"anthropic overloaded falls back to gemini", "bank", "gem", "gemini-ok", "2"},
		{"openai 500 falls back to another group", "failing-with-fallback", "claude", "claude-ok", "2"},
		{"flaky deployment answers on the third try", "oai-flaky", "oai", "oai-flaky", "3"},
		{"unreachable provider falls back", "dead-then-local", "local", "local-ok", "2"},
		{"context too long goes to a larger model", "claude-context", "gem", "gemini-ok", "2"},
		{"lowest cost picks the cheap deployment", "by-cost", "oai", "cheap", "1"},
		{"weight zero is never picked first", "weighted-only-one", "gem", "gemini-ok", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, h, err := chatWithHeaders(t, c, chatParams(tt.model, "Is my card blocked?"))
			if err != nil {
				t.Fatalf("the client saw an error although a fallback exists: %v", err)
			}
			if !strings.HasPrefix(resp.Choices[0].Message.Content, "Echo: Is my card blocked?") {
				t.Errorf("content %q", resp.Choices[0].Message.Content)
			}
			if h.Get("X-Aigw-Provider") != tt.wantProvider || h.Get("X-Aigw-Model") != tt.wantDeployment || h.Get("X-Aigw-Attempts") != tt.wantAttempts {
				t.Errorf("provider %q model %q attempts %q; want %s %s %s", h.Get("X-Aigw-Provider"), h.Get("X-Aigw-Model"), h.Get("X-Aigw-Attempts"),
					tt.wantProvider, tt.wantDeployment, tt.wantAttempts)
			}
		})
	}
}

// TestRouteRateLimitRetriesAndCoolsDown checks 429s as the routing rules
// document them: a rate-limited deployment with another beside it hands the
// call on at once; it cools down only after cooldown_failures 429s in a row,
// for as long as the provider asked (Retry-After); alone, it is retried after
// the provider's Retry-After when that fits max_backoff, and its 429 reaches
// the client when it does not.
func TestRouteRateLimitRetriesAndCoolsDown(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	for i := 1; i <= 3; i++ {
		_, h, err := chatWithHeaders(t, c, chatParams("rate-limited", "call"))
		if err != nil || h.Get("X-Aigw-Model") != "local-ok" || h.Get("X-Aigw-Attempts") != "2" {
			t.Fatalf("call %d: %v, model %q attempts %q; want the rate-limited deployment tried, then the next", i, err, h.Get("X-Aigw-Model"), h.Get("X-Aigw-Attempts"))
		}
	}
	before := g.Fake.Requests()
	_, h, err := chatWithHeaders(t, c, chatParams("rate-limited", "fourth"))
	if err != nil || h.Get("X-Aigw-Attempts") != "1" || g.Fake.Requests()-before != 1 {
		t.Fatalf("after three 429s: %v, attempts %q, %d calls; want the deployment cooling down", err, h.Get("X-Aigw-Attempts"), g.Fake.Requests()-before)
	}
	time.Sleep(1100 * time.Millisecond) // the provider's Retry-After: 1
	if _, h, err = chatWithHeaders(t, c, chatParams("rate-limited", "fifth")); err != nil || h.Get("X-Aigw-Attempts") != "2" {
		t.Fatalf("after the provider's Retry-After: %v, attempts %q; want the deployment tried again", err, h.Get("X-Aigw-Attempts"))
	}

	start := time.Now()
	if _, h, err = chatWithHeaders(t, c, chatParams("oai-limited", "alone")); err != nil || h.Get("X-Aigw-Attempts") != "2" {
		t.Fatalf("a lone deployment rate limited once: %v, attempts %q; want it retried", err, h.Get("X-Aigw-Attempts"))
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("retried after %v, before the provider's Retry-After-Ms of 50", d)
	}
	_, _, err = chatWithHeaders(t, c, chatParams("oai-429", "alone, waiting too long"))
	e := apiError(t, err)
	if e.StatusCode != 429 || e.Response.Header.Get("Retry-After") != "1" || e.Response.Header.Get("X-Aigw-Attempts") != "1" {
		t.Errorf("a lone deployment asking for more than max_backoff: %d, Retry-After %q, attempts %q",
			e.StatusCode, e.Response.Header.Get("Retry-After"), e.Response.Header.Get("X-Aigw-Attempts"))
	}
}

// TestRouteSlowFirstByteTimesOut checks the per-attempt timeout: a provider
// that takes 3s to answer is abandoned after 300ms for the next deployment.
func TestRouteSlowFirstByteTimesOut(t *testing.T) {
	g := startRouteGateway(t)
	start := time.Now()
	_, h, err := chatWithHeaders(t, g.client(), chatParams("slow-first-byte", "quick please"))
	if err != nil || h.Get("X-Aigw-Model") != "gemini-ok" || h.Get("X-Aigw-Attempts") != "2" {
		t.Fatalf("%v, model %q attempts %q", err, h.Get("X-Aigw-Model"), h.Get("X-Aigw-Attempts"))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("answered after %v; the attempt timeout did not cut the slow call", d)
	}
}

// TestRouteStreamFaults checks streams: an error event before any content is
// retried elsewhere unseen; a cut after the first byte is never retried and
// reaches the client as a stream error.
func TestRouteStreamFaults(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	acc, _, h, err := streamChat(t, c, chatParams("early-stream-error", "stream it"))
	if err != nil || !strings.HasPrefix(acc.Choices[0].Message.Content, "Echo: stream it") || h.Get("X-Aigw-Model") != "oai-ok" {
		t.Fatalf("early error: %v, choices %+v, model %q", err, acc.Choices, h.Get("X-Aigw-Model"))
	}
	for _, model := range []string{"cut-after-first-byte", "gemini-cut", "oai-cut"} {
		t.Run(model, func(t *testing.T) {
			before := g.Fake.Requests()
			_, chunks, h, err := streamChat(t, c, chatParams(model, "stream it"))
			if err == nil {
				t.Fatal("a stream cut mid-way ended without an error")
			}
			if len(chunks) == 0 {
				t.Error("no chunk arrived before the cut")
			}
			if n := g.Fake.Requests() - before; n != 1 || h.Get("X-Aigw-Attempts") != "1" {
				t.Errorf("%d provider calls, attempts %q: a stream must not be retried after its first byte", n, h.Get("X-Aigw-Attempts"))
			}
		})
	}
}

// TestRouteAllDeploymentsFail checks the client gets the last failure, with
// the attempts counted, when nothing answers.
func TestRouteAllDeploymentsFail(t *testing.T) {
	g := startRouteGateway(t)
	_, _, err := chatWithHeaders(t, g.client(), chatParams("all-fail", "hi"))
	e := apiError(t, err)
	if e.StatusCode != 503 || e.Code != "upstream_overloaded" || e.Response.Header.Get("X-Aigw-Attempts") != "2" {
		t.Errorf("got %d %s attempts %q", e.StatusCode, e.Code, e.Response.Header.Get("X-Aigw-Attempts"))
	}
}

// TestRouteCooldownAfterRepeatedFailures checks that three failures in a row
// cool a deployment down: the fourth request fails fast without a call.
func TestRouteCooldownAfterRepeatedFailures(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	for i := 0; i < 3; i++ {
		if _, _, err := chatWithHeaders(t, c, chatParams("oai-500", "hi")); apiError(t, err).StatusCode != 502 {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	before := g.Fake.Requests()
	_, _, err := chatWithHeaders(t, c, chatParams("oai-500", "hi"))
	e := apiError(t, err)
	if e.StatusCode != 503 || e.Code != "deployments_cooling_down" || e.Response.Header.Get("Retry-After") == "" {
		t.Errorf("got %d %s", e.StatusCode, e.Code)
	}
	if g.Fake.Requests() != before {
		t.Error("a cooled-down deployment was called")
	}
}
