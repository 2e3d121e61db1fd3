package server

import (
	"net/http"
	"time"

	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	addRoutes(Route{Method: "GET", Path: "/usage/requests", Perm: PermUsageRead, Handle: usageRequests,
		Doc: Doc{Tag: "usage", Summary: "The requests behind a usage figure, newest first",
			Description: "One row per metered request (refusals too), filtered like the dashboard's breakdowns: by model, provider, user, key (\"none\": rows without one) and outcome. A user sees only their own requests. No prompt or answer text: the audit log holds what is kept of those.",
			Query:       requestsQuery{}, Response: List[UsageRequest]{}}})
}

type requestsQuery struct {
	periodQuery
	PageQuery
	Model    string `query:"model" doc:"the model the request was routed to (none: no model)"`
	Provider string `query:"provider" doc:"the provider (none: no provider)"`
	UserID   string `query:"user_id" doc:"the user's id (none: a tenant-wide key)"`
	KeyID    string `query:"key_id" doc:"the API key's id (none: no key)"`
	Outcome  string `query:"outcome" enum:"error,ok,blocked" doc:"error: status 400 or above; ok: below 400; blocked: refused by a guardrail"`
}

// UsageRequest is one metered request.
type UsageRequest struct {
	RequestID        string    `json:"request_id"`
	CreatedAt        time.Time `json:"created_at"`
	UserID           *string   `json:"user_id" format:"uuid"`
	KeyID            *string   `json:"key_id" format:"uuid"`
	Endpoint         string    `json:"endpoint"`
	RequestedModel   string    `json:"requested_model" doc:"the model the client asked for (an alias, perhaps)"`
	Model            string    `json:"model"`
	Provider         string    `json:"provider"`
	PromptTokens     int64     `json:"prompt_tokens"`
	CompletionTokens int64     `json:"completion_tokens"`
	CachedTokens     int64     `json:"cached_tokens"`
	CostUSD          string    `json:"cost_usd" doc:"exact, US dollars, 12 decimals"`
	LatencyMS        int64     `json:"latency_ms"`
	TTFTMS           *int64    `json:"ttft_ms" doc:"time to the first streamed byte"`
	Status           int       `json:"status"`
	ErrorCode        string    `json:"error_code"`
	GuardrailAction  string    `json:"guardrail_action" doc:"block, redact, flag or empty"`
	Stream           bool      `json:"stream"`
	Attempts         int       `json:"attempts" doc:"provider calls made, retries and fallbacks included"`
}

func usageRequests(c *Call) error {
	var q requestsQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	if err := q.resolve(c.srv.now()); err != nil {
		return err
	}
	page, err := q.page()
	if err != nil {
		return err
	}
	rows, total, err := c.Store().UsageRequests(c.R.Context(), tenantdb.RequestFilter{From: q.From, To: q.To,
		Model: q.Model, Provider: q.Provider, UserID: q.UserID, KeyID: q.KeyID, Outcome: q.Outcome}, page)
	if err != nil {
		return err
	}
	out := List[UsageRequest]{Data: make([]UsageRequest, 0, len(rows)), Total: total}
	for _, r := range rows {
		out.Data = append(out.Data, UsageRequest{RequestID: r.RequestID, CreatedAt: r.CreatedAt.UTC(), UserID: strOrNil(r.UserID),
			KeyID: strOrNil(r.KeyID), Endpoint: r.Endpoint, RequestedModel: r.RequestedModel, Model: r.Model, Provider: r.Provider,
			PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens, CachedTokens: r.CachedTokens, CostUSD: r.CostUSD,
			LatencyMS: r.LatencyMS, TTFTMS: r.TTFTMS, Status: r.Status, ErrorCode: r.ErrorCode, GuardrailAction: r.GuardAction,
			Stream: r.Stream, Attempts: r.Attempts})
	}
	return c.JSON(http.StatusOK, out)
}
