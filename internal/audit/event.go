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
	"slices"
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
		if y := s.Sanitize(x); y != x {
			return y
		}
		return v // the value as it came, not boxed again
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
		return v
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

// canonicalDetails appends the JSON hashed for details to b: encoding/json's
// output (sorted map keys) for what prepare left, strings, integers,
// booleans, maps and slices. Those it writes itself, byte for byte as
// encoding/json does, without reflection: every request's event passes here.
// Anything else (json.Number, read back by Verify) goes to encoding/json.
func canonicalDetails(b []byte, d map[string]any) ([]byte, error) {
	if d == nil {
		return append(b, "{}"...), nil
	}
	if out, ok := appendCanonical(b, d); ok {
		return out, nil
	}
	j, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encoding audit details: %w", err)
	}
	return append(b, j...), nil
}

// appendCanonical appends v as encoding/json encodes it and reports whether
// v holds only the types it knows.
func appendCanonical(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		return strconv.AppendBool(b, x), true
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case string:
		return appendJSONString(b, x), true
	case map[string]any:
		return appendCanonicalMap(b, x)
	case []any:
		if x == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendCanonical(b, e); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	}
	return b, false
}

func appendCanonicalMap(b []byte, m map[string]any) ([]byte, bool) {
	if m == nil {
		return append(b, "null"...), true
	}
	var room [8]string // details are small: the keys stay off the heap
	keys := room[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // encoding/json's order
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendJSONString(b, k), ':')
		var ok bool
		if b, ok = appendCanonical(b, m[k]); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// appendJSONString appends s quoted. A string of printable ASCII with
// nothing encoding/json escapes (quote, backslash, <, >, &) is copied as
// is; any other goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s) // a string always encodes
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// hasher computes rows' hashes, reusing its buffer from row to row.
type hasher struct{ msg []byte }

// hash returns a row's hash from the previous hash, the row's fields and its
// canonical details.
func (h *hasher) hash(prev []byte, seq int64, e *Event, details []byte) [sha256.Size]byte {
	var num [20]byte
	var at [64]byte
	m := append(h.msg[:0], prev...)
	m = appendField(m, e.TenantID)
	m = appendField(m, strconv.AppendInt(num[:0], seq, 10))
	m = appendField(m, e.OccurredAt.UTC().AppendFormat(at[:0], time.RFC3339Nano))
	for _, f := range [...]string{e.ActorType, e.ActorID, e.Action, e.ResourceType, e.ResourceID,
		e.Outcome, e.Severity, e.ClientIP, e.RequestID} {
		m = appendField(m, f)
	}
	m = appendField(m, details)
	h.msg = m
	return sha256.Sum256(m)
}

// appendField appends f with its length, as the hash encodes each field.
func appendField[T string | []byte](b []byte, f T) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
	return append(b, f...)
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
