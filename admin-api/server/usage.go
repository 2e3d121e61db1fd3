package server

import (
	"net/http"
	"time"

	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	addRoutes(Route{Method: "GET", Path: "/usage/dashboard", Perm: PermUsageRead, Handle: usageDashboard,
		Doc: Doc{Tag: "usage", Summary: "Requests, tokens, cost, errors and guardrail blocks over a period",
			Description: "Totals, a series by hour or day (UTC), breakdowns by model, provider, user and key (top 100 by cost), and p50/p95 latency (within 5%). A user sees only their own usage. Computed in PostgreSQL from hourly rollups of usage_logs, the partial hours at either end from usage_logs itself.",
			Query:       dashboardQuery{}, Response: UsageDashboard{}}})
}

type dashboardQuery struct {
	periodQuery
	Granularity string `query:"granularity" enum:"hour,day" doc:"series buckets: hour or day (default day)"`
}

// Totals are sums over a set of requests.
type Totals struct {
	Requests         int64  `json:"requests"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
	CachedTokens     int64  `json:"cached_tokens"`
	CostUSD          string `json:"cost_usd" doc:"exact, US dollars, 12 decimals"`
	Errors           int64  `json:"errors" doc:"answers with status 400 or above"`
	GuardrailBlocks  int64  `json:"guardrail_blocks"`
}

// UsageGroup is the usage of one model, provider, user, key or time bucket.
type UsageGroup struct {
	Key string `json:"key" doc:"the model, provider, user id or key id (empty: none), or the bucket's start (RFC 3339, UTC)"`
	Totals
}

// UsageDashboard is GET /usage/dashboard's answer.
type UsageDashboard struct {
	From         time.Time    `json:"from"`
	To           time.Time    `json:"to"`
	Granularity  string       `json:"granularity" enum:"hour,day"`
	Totals       Totals       `json:"totals"`
	Series       []UsageGroup `json:"series"`
	ByModel      []UsageGroup `json:"by_model"`
	ByProvider   []UsageGroup `json:"by_provider"`
	ByUser       []UsageGroup `json:"by_user"`
	ByKey        []UsageGroup `json:"by_key"`
	P50LatencyMS int64        `json:"p50_latency_ms"`
	P95LatencyMS int64        `json:"p95_latency_ms"`
}

func totalsView(t tenantdb.UsageTotals) Totals {
	return Totals{Requests: t.Requests, PromptTokens: t.PromptTokens, CompletionTokens: t.CompletionTokens,
		CachedTokens: t.CachedTokens, CostUSD: t.CostUSD, Errors: t.Errors, GuardrailBlocks: t.GuardrailBlocks}
}

func groupsView(gs []tenantdb.UsageGroup) []UsageGroup {
	out := make([]UsageGroup, 0, len(gs))
	for _, g := range gs {
		out = append(out, UsageGroup{Key: g.Key, Totals: totalsView(g.UsageTotals)})
	}
	return out
}

func usageDashboard(c *Call) error {
	var q dashboardQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	if q.Granularity == "" {
		q.Granularity = tenantdb.Day
	}
	if q.Granularity != tenantdb.Day && q.Granularity != tenantdb.Hour {
		return badField("granularity", "want hour or day")
	}
	if err := q.resolve(c.srv.now()); err != nil {
		return err
	}
	if q.Granularity == tenantdb.Hour && q.To.Sub(q.From) > 31*24*time.Hour {
		return badField("granularity", "hourly series cover at most 31 days")
	}
	d, err := c.Store().UsageDashboard(c.R.Context(), q.From, q.To, q.Granularity)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, UsageDashboard{From: q.From.UTC(), To: q.To.UTC(), Granularity: q.Granularity,
		Totals: totalsView(d.Totals), Series: groupsView(d.Series), ByModel: groupsView(d.ByModel),
		ByProvider: groupsView(d.ByProvider), ByUser: groupsView(d.ByUser), ByKey: groupsView(d.ByKey),
		P50LatencyMS: d.P50LatencyMS, P95LatencyMS: d.P95LatencyMS})
}
