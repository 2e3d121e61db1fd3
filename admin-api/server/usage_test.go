package server

import (
	"context"
	"net/http"
	"strings"
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

func TestUsageRequestsAreTheRowsBehindTheFigures(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	b := e.addTenant("beta")
	now := e.clock.Now()
	at := now.Add(-2 * time.Hour)
	if _, err := e.pool.Exec(context.Background(), `INSERT INTO usage_logs (request_id, created_at, tenant_id, user_id, api_key_id,
  endpoint, model, provider, prompt_tokens, completion_tokens, cost_usd, latency_ms, ttft_ms, status, guardrail_action, stream, attempts) VALUES
 ('r1', $2, $1, $3, NULL, '/v1/chat/completions', 'gpt-4o', 'openai', 100, 20, 0.000450000000, 100, 40, 200, '', true, 1),
 ('r2', $2 + interval '1 minute', $1, $3, NULL, '/v1/chat/completions', 'gpt-4o', 'openai', 50, 0, 0, 10, NULL, 400, 'block', false, 0),
 ('r3', $2 + interval '2 minutes', $1, $4, NULL, '/v1/chat/completions', 'claude-3-5-sonnet', 'anthropic', 10, 10, 0.000180000000, 1000, NULL, 200, '', false, 2),
 ('r4', $6, $1, $3, NULL, '/v1/chat/completions', 'gpt-4o', 'openai', 1, 1, 1, 1, NULL, 200, '', false, 1),
 ('r5', $2, $5, NULL, NULL, '/v1/chat/completions', 'gpt-4o', 'openai', 1, 1, 1, 1, NULL, 200, '', false, 1)`,
		a.ID, at, a.Users["user"].ID, a.Users["admin"].ID, b.ID, now.Add(-40*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	period := "?from=" + now.Add(-24*time.Hour).Format(time.RFC3339) + "&to=" + now.Format(time.RFC3339)
	ids := func(l List[UsageRequest]) []string {
		var out []string
		for _, r := range l.Data {
			out = append(out, r.RequestID)
		}
		return out
	}
	for _, tc := range []struct {
		query, role string
		want        []string
		total       int
	}{
		// Newest first; the other tenant's row and the row outside the period are not there.
		{"", "viewer", []string{"r3", "r2", "r1"}, 3},
		{"&model=gpt-4o", "admin", []string{"r2", "r1"}, 2},
		{"&provider=anthropic", "admin", []string{"r3"}, 1},
		{"&user_id=" + a.Users["admin"].ID, "manager", []string{"r3"}, 1},
		{"&user_id=none", "admin", nil, 0},
		{"&outcome=error", "admin", []string{"r2"}, 1},
		{"&outcome=blocked", "admin", []string{"r2"}, 1},
		{"&outcome=ok", "admin", []string{"r3", "r1"}, 2},
		{"&limit=1&offset=1", "admin", []string{"r2"}, 3},
		// A user sees only their own requests.
		{"", "user", []string{"r2", "r1"}, 2},
		{"&user_id=" + a.Users["admin"].ID, "user", nil, 0},
	} {
		var l List[UsageRequest]
		e.do("GET", "/usage/requests"+period+tc.query, a.Tokens[tc.role], nil).want(200).decode(&l)
		if got := ids(l); strings.Join(got, ",") != strings.Join(tc.want, ",") || l.Total != tc.total {
			t.Errorf("%s as %s: %v (total %d), want %v (total %d)", tc.query, tc.role, got, l.Total, tc.want, tc.total)
		}
	}
	var l List[UsageRequest]
	e.do("GET", "/usage/requests"+period+"&outcome=ok&provider=openai", a.Tokens["admin"], nil).want(200).decode(&l)
	if len(l.Data) != 1 {
		t.Fatalf("rows %+v", l.Data)
	}
	r := l.Data[0]
	if r.CostUSD != "0.000450000000" || r.PromptTokens != 100 || r.TTFTMS == nil || *r.TTFTMS != 40 || !r.Stream || r.Attempts != 1 ||
		r.UserID == nil || *r.UserID != a.Users["user"].ID || r.KeyID != nil || r.Status != 200 {
		t.Errorf("row %+v", r)
	}
	for _, bad := range []string{"&outcome=maybe", "&user_id=bob", "&key_id=x", "&limit=501", "&tenant_id=" + b.ID} {
		e.do("GET", "/usage/requests"+period+bad, a.Tokens["admin"], nil).want(http.StatusBadRequest)
	}
}
