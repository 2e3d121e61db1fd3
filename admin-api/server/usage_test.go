package server

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestUsageDashboardAndAUsersUsage(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	now := e.clock.Now()
	at := now.Add(-2 * time.Hour)
	if _, err := e.pool.Exec(context.Background(), `INSERT INTO usage_logs (request_id, created_at, tenant_id, user_id, api_key_id,
  endpoint, model, provider, prompt_tokens, completion_tokens, cost_usd, latency_ms, status, guardrail_action) VALUES
 ('u1', $2, $1, $3, NULL, '/v1/chat/completions', 'gpt-4o', 'openai', 100, 20, 0.000450000000, 100, 200, ''),
 ('u2', $2, $1, $3, NULL, '/v1/chat/completions', 'gpt-4o', 'openai', 50, 0, 0, 10, 400, 'block'),
 ('u3', $2, $1, $4, NULL, '/v1/chat/completions', 'claude-3-5-sonnet', 'anthropic', 10, 10, 0.000180000000, 1000, 200, ''),
 ('u4', $5, $1, $3, NULL, '/v1/chat/completions', 'gpt-4o', 'openai', 1, 1, 1, 1, 200, '')`,
		a.ID, at, a.Users["user"].ID, a.Users["admin"].ID, now.Add(-40*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	q := "?from=" + now.Add(-24*time.Hour).Format(time.RFC3339) + "&to=" + now.Format(time.RFC3339) + "&granularity=hour"
	var d UsageDashboard
	e.do("GET", "/usage/dashboard"+q, a.Tokens["viewer"], nil).want(200).decode(&d)
	if d.Totals.Requests != 3 || d.Totals.PromptTokens != 160 || d.Totals.CostUSD != "0.000630000000" || d.Totals.Errors != 1 ||
		d.Totals.GuardrailBlocks != 1 || len(d.ByModel) != 2 || d.ByModel[0].Key != "gpt-4o" || len(d.ByUser) != 2 || len(d.Series) != 1 {
		t.Errorf("dashboard %+v", d)
	}
	if d.P50LatencyMS < 95 || d.P50LatencyMS > 105 || d.P95LatencyMS < 950 || d.P95LatencyMS > 1050 {
		t.Errorf("latency p50 %d p95 %d", d.P50LatencyMS, d.P95LatencyMS)
	}
	// A user sees only their own usage.
	e.do("GET", "/usage/dashboard"+q, a.Tokens["user"], nil).want(200).decode(&d)
	if d.Totals.Requests != 2 || len(d.ByUser) != 1 || d.ByUser[0].Key != a.Users["user"].ID {
		t.Errorf("a user's dashboard %+v", d.Totals)
	}
	var u UserUsage
	e.do("GET", "/users/"+a.Users["user"].ID+"/usage", a.Tokens["manager"], nil).want(200).decode(&u)
	if u.Totals.Requests != 2 || len(u.ByModel) != 1 || len(u.ByDay) != 1 {
		t.Errorf("user usage %+v", u)
	}
	e.do("GET", "/users/"+a.Users["admin"].ID+"/usage", a.Tokens["user"], nil).want(http.StatusNotFound)
	for _, bad := range []string{"?granularity=week", "?from=yesterday", "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
		"?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&granularity=hour", "?tenant_id=" + a.ID} {
		e.do("GET", "/usage/dashboard"+bad, a.Tokens["admin"], nil).want(http.StatusBadRequest)
	}
}
