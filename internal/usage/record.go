// Package usage writes the gateway's usage rows to PostgreSQL off the request
// path: rows wait in a bounded in-memory buffer, a single goroutine writes them
// in batches with COPY, and when PostgreSQL is slow or down they go to a local
// append-only spool file that is replayed, in order, once it answers again.
//
// Writes are idempotent: a batch is copied into a temporary table and inserted
// with ON CONFLICT DO NOTHING on the table's primary key (request_id,
// created_at), so a batch whose commit reached the server but whose
// acknowledgement did not is replayed without being counted twice.
package usage

import (
	"errors"
	"fmt"
	"time"

	"github.com/aigw/aigw/internal/money"
)

// Record is one usage row: one request that reached the gateway chain after
// authentication, allowed or refused. Field names follow the usage_logs
// columns; the JSON names are the spool file's format and must not change.
type Record struct {
	RequestID string    `json:"id"`
	CreatedAt time.Time `json:"at"`
	// TenantID, UserID and APIKeyID are UUIDs in text form; UserID and APIKeyID
	// may be empty (stored as NULL).
	TenantID string `json:"tenant"`
	UserID   string `json:"user,omitempty"`
	APIKeyID string `json:"key,omitempty"`
	// Endpoint is the API path without the /api alias prefix, such as
	// "/v1/chat/completions".
	Endpoint       string `json:"ep"`
	RequestedModel string `json:"req_model,omitempty"`
	Model          string `json:"model,omitempty"`
	Provider       string `json:"provider,omitempty"`
	Deployment     string `json:"deployment,omitempty"`
	// Tokens as the provider reported them (or as the gateway counted them when
	// the provider did not report: see the meter's documentation).
	PromptTokens     int `json:"pt,omitempty"`
	CompletionTokens int `json:"ct,omitempty"`
	CachedTokens     int `json:"cached,omitempty"`
	// Tokens as the gateway estimated them before the call.
	EstPromptTokens     int `json:"ept,omitempty"`
	EstCompletionTokens int `json:"ect,omitempty"`
	// Cost is the exact price in picodollars (1e-12 USD).
	Cost money.Pico `json:"cost,omitempty"`
	// LatencyMS is the whole request's duration; TTFTMS the time to the first
	// byte of the answer, or -1 when no answer byte was sent (stored as NULL).
	LatencyMS int `json:"lat"`
	TTFTMS    int `json:"ttft"`
	// Status is the HTTP status the client got.
	Status          int    `json:"status"`
	ErrorCode       string `json:"err,omitempty"`
	GuardrailAction string `json:"guard,omitempty"`
	Stream          bool   `json:"stream,omitempty"`
	Attempts        int    `json:"attempts,omitempty"`
}

// columns are the usage_logs columns a Record fills, in COPY order.
var columns = []string{
	"request_id", "created_at", "tenant_id", "user_id", "api_key_id", "endpoint",
	"requested_model", "model", "provider", "deployment",
	"prompt_tokens", "completion_tokens", "cached_tokens", "est_prompt_tokens", "est_completion_tokens",
	"cost_usd", "latency_ms", "ttft_ms", "status", "error_code", "guardrail_action", "stream", "attempts",
}

// Validate reports whether r can be stored: a request id, a time and a tenant
// are required and the ids must be UUIDs. A record that fails would make its
// whole batch fail forever, so writers refuse it up front.
func (r *Record) Validate() error {
	if r.RequestID == "" || r.CreatedAt.IsZero() {
		return errors.New("usage record: request id and time are required")
	}
	for _, id := range [...]struct{ name, v string }{{"tenant", r.TenantID}, {"user", r.UserID}, {"key", r.APIKeyID}} {
		if id.v == "" && id.name != "tenant" {
			continue
		}
		if u, err := parseUUID(id.v); err != nil || !u.Valid {
			return fmt.Errorf("usage record %s: %s id is not a UUID", r.RequestID, id.name)
		}
	}
	return nil
}
