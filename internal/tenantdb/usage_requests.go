package tenantdb

import (
	"context"
	"fmt"
	"time"

	"github.com/aigw/aigw/internal/store"
)

// RequestFilter selects usage rows: the rows behind a dashboard figure.
// Empty fields match everything.
type RequestFilter struct {
	// From and To bound created_at: from inclusive, to exclusive.
	From, To time.Time
	// Model, Provider, UserID and KeyID match exactly; "none" matches rows
	// without a user or key (a tenant-wide key, a refusal before a model).
	Model, Provider, UserID, KeyID string
	// Outcome is "error" (status 400 or above), "ok" (below 400) or
	// "blocked" (refused by a guardrail).
	Outcome string
}

// UsageRequest is one metered request.
type UsageRequest struct {
	RequestID, Endpoint, RequestedModel, Model, Provider string
	UserID, KeyID                                        string
	CreatedAt                                            time.Time
	PromptTokens, CompletionTokens, CachedTokens         int64
	// CostUSD is exact, US dollars with 12 decimals.
	CostUSD                string
	LatencyMS              int64
	TTFTMS                 *int64
	Status                 int
	ErrorCode, GuardAction string
	Stream                 bool
	Attempts               int
}

// requestsWhere is shared by the count and the page. $1 tenant, $2 owner.
const requestsWhere = `WHERE n.tenant_id = $1 AND ($2 = '' OR n.user_id = nullif($2, '')::uuid)
  AND n.created_at >= $3 AND n.created_at < $4
  AND ($5 = '' OR n.model = $5 OR $5 = 'none' AND n.model = '')
  AND ($6 = '' OR n.provider = $6 OR $6 = 'none' AND n.provider = '')
  AND ($7 = '' OR $7 = 'none' AND n.user_id IS NULL OR $7 <> 'none' AND n.user_id::text = $7)
  AND ($8 = '' OR $8 = 'none' AND n.api_key_id IS NULL OR $8 <> 'none' AND n.api_key_id::text = $8)
  AND ($9 = '' OR $9 = 'error' AND n.status >= 400 OR $9 = 'ok' AND n.status < 400 OR $9 = 'blocked' AND n.guardrail_action = 'block')`

// UsageRequests lists the tenant's usage rows (the owner's only, for an
// owner-bound DB) matching f, newest first, with how many match.
func (d *DB) UsageRequests(ctx context.Context, f RequestFilter, p Page) ([]UsageRequest, int, error) {
	switch f.Outcome {
	case "", "error", "ok", "blocked":
	default:
		return nil, 0, &store.FieldError{Field: "outcome", Reason: "want error, ok or blocked"}
	}
	for _, id := range []struct{ field, v string }{{"user_id", f.UserID}, {"key_id", f.KeyID}} {
		if id.v != "" && id.v != "none" && !store.ValidUUID(id.v) {
			return nil, 0, &store.FieldError{Field: id.field, Reason: "want a UUID or none"}
		}
	}
	args := []any{d.tenantID, d.ownerID, f.From.UTC(), f.To.UTC(), f.Model, f.Provider, f.UserID, f.KeyID, f.Outcome}
	var total int
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM usage_logs n `+requestsWhere, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting usage rows: %w", err)
	}
	rows, err := d.pool.Query(ctx, `SELECT n.request_id, n.created_at, coalesce(n.user_id::text, ''), coalesce(n.api_key_id::text, ''),
  n.endpoint, n.requested_model, n.model, n.provider, n.prompt_tokens, n.completion_tokens, n.cached_tokens,
  n.cost_usd::text, n.latency_ms, n.ttft_ms, n.status, n.error_code, n.guardrail_action, n.stream, n.attempts
FROM usage_logs n `+requestsWhere+`
ORDER BY n.created_at DESC, n.request_id LIMIT $10 OFFSET $11`, append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing usage rows: %w", err)
	}
	defer rows.Close()
	out := []UsageRequest{}
	for rows.Next() {
		var r UsageRequest
		var ttft *int32
		var latency int32
		var status, attempts int16
		var pt, ct, cached int32
		if err := rows.Scan(&r.RequestID, &r.CreatedAt, &r.UserID, &r.KeyID, &r.Endpoint, &r.RequestedModel, &r.Model, &r.Provider,
			&pt, &ct, &cached, &r.CostUSD, &latency, &ttft, &status, &r.ErrorCode, &r.GuardAction, &r.Stream, &attempts); err != nil {
			return nil, 0, fmt.Errorf("listing usage rows: %w", err)
		}
		r.PromptTokens, r.CompletionTokens, r.CachedTokens = int64(pt), int64(ct), int64(cached)
		r.LatencyMS, r.Status, r.Attempts = int64(latency), int(status), int(attempts)
		if ttft != nil {
			v := int64(*ttft)
			r.TTFTMS = &v
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}
