// Package audit is aigw's audit trail, shared by the gateway and the admin
// API: events are sanitized, hash-chained per tenant and appended to
// audit_logs, which a trigger keeps append-only. Verify walks the chains and
// names the first broken link, so tampering with a stored row, removing one or
// inserting one is detectable.
//
// Each row's hash is SHA-256 over the previous row's hash (32 zero bytes for a
// chain's first row) and the row's fields in a fixed, length-prefixed
// encoding; the details are hashed as canonical JSON (sorted keys, integers
// only), which is what jsonb gives back, so a row read from the database
// hashes to what was written.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// Actor types, outcomes and severities (the columns' CHECK constraints).
const (
	ActorUser   = "user"
	ActorAPIKey = "api_key"
	ActorSystem = "system"

	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeDenied  = "denied"

	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// Event is one audit entry before it is chained.
type Event struct {
	// TenantID is the tenant's UUID; "" puts the event on the system chain.
	TenantID string
	// OccurredAt defaults to the writer's clock; stored at microsecond precision.
	OccurredAt time.Time
	// ActorType is user, api_key or system (default system); ActorID names it.
	ActorType, ActorID string
	// Action is a dotted verb such as "api.request", "config.reload",
	// "security.rate_limit_abuse".
	Action string
	// ResourceType and ResourceID name what the action touched.
	ResourceType, ResourceID string
	// Outcome is success, failure or denied (default success); Severity is
	// info, warning or critical (default info).
	Outcome, Severity string
	// ClientIP is the caller's address, masked by the writer (see MaskIP).
	ClientIP string
	// RequestID links the event to a gateway request.
	RequestID string
	// Details hold anything else: maps, slices, strings, numbers, booleans.
	// Every string in them is sanitized and every key naming a secret has its
	// value masked before storage.
	Details map[string]any
}

// Row is a stored, chained audit entry.
type Row struct {
	Event
	ID       int64
	Seq      int64
	PrevHash []byte
	Hash     []byte
}

// zeroHash is the previous hash of a chain's first row.
var zeroHash = make([]byte, sha256.Size)

// prepare fills defaults, masks the address and sanitizes the details.
func (e *Event) prepare(s Sanitizer, now time.Time) error {
	if e.Action == "" {
		return fmt.Errorf("audit event: action is required")
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = now
	}
	e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Microsecond)
	e.ActorType = orDefault(e.ActorType, ActorSystem)
	e.Outcome = orDefault(e.Outcome, OutcomeSuccess)
	e.Severity = orDefault(e.Severity, SeverityInfo)
	e.ClientIP = MaskIP(e.ClientIP)
	for _, f := range []*string{&e.ActorID, &e.ResourceID, &e.RequestID} {
		*f = s.Sanitize(*f)
	}
	d, _ := SanitizeValue(s, e.Details).(map[string]any)
	if d == nil {
		d = map[string]any{}
	}
	e.Details = d
	return nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// SanitizeValue returns a sanitized copy of v: strings through s, values
// under secret-looking keys masked, numbers made canonical (integers stay
// integers, other numbers become strings so that jsonb cannot reformat them),
// and unknown types formatted as sanitized strings.
func SanitizeValue(s Sanitizer, v any) any {
	switch x := v.(type) {
	case nil, bool:
		return x
	case string:
		return s.Sanitize(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			k = s.Sanitize(k)
			if secretKey(k) && val != nil {
				out[k] = MaskSecret
				continue
			}
			out[k] = SanitizeValue(s, val)
		}
		return out
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[k] = val
		}
		return SanitizeValue(s, m)
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = SanitizeValue(s, val)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = s.Sanitize(val)
		}
		return out
	case int:
		return int64(x)
	case int64:
		return x
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		return x.String()
	case time.Duration:
		return x.Milliseconds()
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	default:
		return s.Sanitize(fmt.Sprint(x))
	}
}

// canonicalDetails is the JSON hashed for details: encoding/json sorts map
// keys, and prepare left only strings, integers, booleans, maps and slices.
func canonicalDetails(d map[string]any) ([]byte, error) {
	if d == nil {
		d = map[string]any{}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encoding audit details: %w", err)
	}
	return b, nil
}

// chainHash computes a row's hash from the previous hash and its fields.
func chainHash(prev []byte, seq int64, e *Event) ([]byte, error) {
	details, err := canonicalDetails(e.Details)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write(prev)
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, f := range []string{
		e.TenantID, strconv.FormatInt(seq, 10), e.OccurredAt.UTC().Format(time.RFC3339Nano),
		e.ActorType, e.ActorID, e.Action, e.ResourceType, e.ResourceID,
		e.Outcome, e.Severity, e.ClientIP, e.RequestID,
	} {
		field([]byte(f))
	}
	field(details)
	return h.Sum(nil), nil
}

// sortedTenants returns the tenants of events in a stable order, so that
// concurrent writers take per-tenant locks in the same order.
func sortedTenants(byTenant map[string][]*Event) []string {
	out := make([]string, 0, len(byTenant))
	for t := range byTenant {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
