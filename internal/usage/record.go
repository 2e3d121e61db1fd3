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

	"github.com/jackc/pgx/v5/pgtype"

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
	_, _, _, err := r.ids()
	return err
}

// ids parses the tenant, user and key ids; an empty user or key id is NULL
// (not Valid).
func (r *Record) ids() (tenant, user, key pgtype.UUID, err error) {
	if tenant.Bytes, tenant.Valid = parseUUID(r.TenantID); !tenant.Valid {
		return tenant, user, key, r.idError("tenant")
	}
	if r.UserID != "" {
		if user.Bytes, user.Valid = parseUUID(r.UserID); !user.Valid {
			return tenant, user, key, r.idError("user")
		}
	}
	if r.APIKeyID != "" {
		if key.Bytes, key.Valid = parseUUID(r.APIKeyID); !key.Valid {
			return tenant, user, key, r.idError("key")
		}
	}
	return tenant, user, key, nil
}

func (r *Record) idError(name string) error {
	return fmt.Errorf("usage record %s: %s id is not a UUID", r.RequestID, name)
}

// parseUUID parses a UUID in text form without allocating: it runs for
// every row, twice. It accepts exactly what pgtype.UUID's Scan accepts (32
// hex digits, or 36 characters whose four separators it does not check), so
// every id stored before is still accepted.
func parseUUID(s string) (u [16]byte, ok bool) {
	var at *[16]uint8
	switch len(s) {
	case 36:
		at = &dashedPairs
	case 32:
		at = &plainPairs
	default:
		return u, false
	}
	for i, x := range at {
		hi, lo := hexValue[s[x]], hexValue[s[x+1]]
		if hi|lo > 0xf {
			return u, false
		}
		u[i] = hi<<4 | lo
	}
	return u, true
}

// dashedPairs and plainPairs are where a UUID's 16 bytes start, as two hex
// digits each, in its 36- and 32-character forms.
var (
	dashedPairs = [16]uint8{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}
	plainPairs  = [16]uint8{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}
)

// hexValue maps a hex digit to its value and any other byte to 0xff.
var hexValue = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9':
			t[c] = uint8(c - '0')
		case c >= 'a' && c <= 'f':
			t[c] = uint8(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			t[c] = uint8(c - 'A' + 10)
		default:
			t[c] = 0xff
		}
	}
	return t
}()
