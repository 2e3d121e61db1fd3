package e2e

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/aigw/aigw/internal/store"
)

func TestRateLimitHeadersAnd429(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	key, _ := g.newKey(t, store.NewKey{Name: "rpm 3", RPM: 3, TPM: 100000})
	c := g.client(option.WithAPIKey(key))
	for i := 0; i < 3; i++ {
		var resp *http.Response
		if _, err := c.Chat.Completions.New(context.Background(), chatParams("mock-gpt", "hi"), option.WithResponseInto(&resp)); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		h := resp.Header
		if h.Get("x-ratelimit-limit-requests") != "3" || h.Get("x-ratelimit-remaining-requests") != strconv.Itoa(2-i) ||
			h.Get("x-ratelimit-reset-requests") == "" || h.Get("x-ratelimit-limit-tokens") != "100000" ||
			h.Get("x-ratelimit-remaining-tokens") == "" || h.Get("x-ratelimit-reset-tokens") == "" {
			t.Errorf("call %d headers: %v", i, h)
		}
	}
	var resp *http.Response
	_, err := c.Chat.Completions.New(context.Background(), chatParams("mock-gpt", "hi"), option.WithResponseInto(&resp))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" {
		t.Fatalf("4th call: %v, want 429 rate_limit_exceeded", err)
	}
	if ra, _ := strconv.Atoi(apiErr.Response.Header.Get("Retry-After")); ra < 1 || apiErr.Response.Header.Get("x-ratelimit-remaining-requests") != "0" {
		t.Errorf("429 headers: %v", apiErr.Response.Header)
	}
	// Other keys of the tenant are not affected.
	other := g.client()
	if _, err := other.Chat.Completions.New(context.Background(), chatParams("mock-gpt", "hi")); err != nil {
		t.Errorf("another key: %v", err)
	}
}

func TestBudgetExhaustedIsInsufficientQuota(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	// gpt-4o costs $10 per million output tokens: max_tokens 2000 reserves
	// at least $0.02, more than the key's $0.01.
	key, _ := g.newKey(t, store.NewKey{Name: "one cent", BudgetUSD: "0.01"})
	c := g.client(option.WithAPIKey(key))
	p := chatParams("gpt-4o", "hi")
	p.MaxTokens = openai.Int(2000)
	_, err := c.Chat.Completions.New(context.Background(), p)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "insufficient_quota" ||
		apiErr.Response.Header.Get("Retry-After") == "" {
		t.Fatalf("over budget: %v, want 429 insufficient_quota with Retry-After", err)
	}
	if g.Fake.Requests() != 0 {
		t.Error("a request refused for budget reached the provider")
	}
	p.MaxTokens = openai.Int(20)
	if _, err := c.Chat.Completions.New(context.Background(), p); err != nil {
		t.Errorf("a call within budget: %v %s", err, apiErrBody(err))
	}
}

// TestStreamSettlesWithRealUsage streams a completion and checks that the
// key's token count drops from the estimate to the usage the provider
// reported once the stream is over (a model list request, which reserves no
// tokens, shows the count in its headers).
func TestStreamSettlesWithRealUsage(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	const limit = 1_000_000
	key, _ := g.newKey(t, store.NewKey{Name: "tpm", TPM: limit})
	c := g.client(option.WithAPIKey(key))
	p := chatParams("gpt-4o", "Tell me about savings accounts")
	p.MaxTokens = openai.Int(500)
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	var resp *http.Response
	var used int
	s := c.Chat.Completions.NewStreaming(context.Background(), p, option.WithResponseInto(&resp))
	for s.Next() {
		if u := s.Current().Usage; u.TotalTokens > 0 {
			used = int(u.TotalTokens)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	reserved, _ := strconv.Atoi(resp.Header.Get("x-ratelimit-remaining-tokens"))
	if used == 0 || limit-reserved <= used {
		t.Fatalf("usage %d, reservation %d: the estimate must cover max_tokens", used, limit-reserved)
	}
	hdr := map[string]string{"Authorization": "Bearer " + key}
	deadline := time.Now().Add(2 * time.Second)
	for {
		r, _ := g.rawCall(t, "/v1/models", "", hdr)
		remaining, _ := strconv.Atoi(r.Header.Get("x-ratelimit-remaining-tokens"))
		if remaining == limit-used {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("remaining tokens %d, want %d (limit - reported usage %d)", remaining, limit-used, used)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestBudgetResumesFromUsageRecords records a spend above the key's budget in
// usage_logs, as a previous run of the gateway would have, and checks that a
// fresh gateway refuses the key once it has read it.
func TestBudgetResumesFromUsageRecords(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	key, rec := g.newKey(t, store.NewKey{Name: "spent", BudgetUSD: "0.01"})
	if _, err := g.DB.Exec(context.Background(), `INSERT INTO usage_logs (request_id, created_at, tenant_id, api_key_id, endpoint, cost_usd, status)
VALUES ('earlier', now(), $1, $2, 'chat', 0.02, 200)`, rec.TenantID, rec.ID); err != nil {
		t.Fatal(err)
	}
	c := g.client(option.WithAPIKey(key))
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, err := c.Chat.Completions.New(context.Background(), chatParams("mock-gpt", "hi"))
		var apiErr *openai.Error
		if errors.As(err, &apiErr) && apiErr.Code == "insufficient_quota" {
			return
		}
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the key's recorded spend was not applied within 2s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func apiErrBody(err error) string {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		return apiErr.RawJSON()
	}
	return ""
}
