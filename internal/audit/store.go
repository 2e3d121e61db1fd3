package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store appends chained events to audit_logs and verifies the chains.
type Store struct {
	pool      *pgxpool.Pool
	sanitizer Sanitizer
	now       func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithSanitizer replaces DefaultSanitizer (for example by the guardrail
// engine's redactor).
func WithSanitizer(s Sanitizer) Option { return func(st *Store) { st.sanitizer = s } }

// WithClock sets the clock that stamps events without a time.
func WithClock(now func() time.Time) Option { return func(st *Store) { st.now = now } }

// NewStore returns a Store over pool, which it does not own.
func NewStore(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{pool: pool, sanitizer: DefaultSanitizer{}, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

const noTenant = "00000000-0000-0000-0000-000000000000"

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

var auditColumns = []string{
	"tenant_id", "seq", "occurred_at", "actor_type", "actor_id", "action", "resource_type", "resource_id",
	"outcome", "severity", "client_ip", "request_id", "details", "prev_hash", "hash",
}

// Append sanitizes events and appends them, in order within each tenant, to
// their tenants' chains in one transaction. Concurrent appenders (gateway
// nodes, the admin API) serialise per tenant on an advisory lock.
func (s *Store) Append(ctx context.Context, events ...Event) error {
	if len(events) == 0 {
		return nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("beginning audit append: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	if err := s.AppendTx(ctx, tx, events...); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("committing %d audit events: %w", len(events), err)
	}
	return nil
}

// AppendTx is Append inside the caller's transaction, so that a change and
// its audit events commit or roll back together (the admin API's changes).
// The tenants' chains stay locked until tx ends.
func (s *Store) AppendTx(ctx context.Context, tx pgx.Tx, events ...Event) error {
	byTenant := map[string][]*Event{}
	now := s.now()
	for i := range events {
		e := &events[i]
		e.TenantID = strings.ToLower(e.TenantID)
		queued, seen := byTenant[e.TenantID]
		if !seen && e.TenantID != "" && !uuidRE.MatchString(e.TenantID) {
			return fmt.Errorf("audit event %q: tenant id is not a UUID", e.Action)
		}
		if err := e.prepare(s.sanitizer, now); err != nil {
			return err
		}
		byTenant[e.TenantID] = append(queued, e)
	}
	var rows [][]any
	for _, tenant := range sortedTenants(byTenant) {
		chained, err := chainTenant(ctx, tx, tenant, byTenant[tenant])
		if err != nil {
			return err
		}
		rows = append(rows, chained...)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_logs"}, auditColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("appending %d audit events: %w", len(rows), err)
	}
	return nil
}

// chainTenant locks tenant's chain for the transaction, reads its head and
// returns the events as chained rows.
func chainTenant(ctx context.Context, tx pgx.Tx, tenant string, events []*Event) ([][]any, error) {
	key := orDefault(tenant, noTenant)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('aigw.audit:' || $1, 0))`, key); err != nil {
		return nil, fmt.Errorf("locking audit chain: %w", err)
	}
	var seq int64
	prev := append([]byte(nil), zeroHash...)
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_logs
		WHERE coalesce(tenant_id, '`+noTenant+`'::uuid) = $1::uuid ORDER BY seq DESC LIMIT 1`, key).Scan(&seq, &prev)
	if err != nil && err != pgx.ErrNoRows {
		return nil, fmt.Errorf("reading audit chain head: %w", err)
	}
	// One boxed tenant id for every row: given a string, pgx fails to encode
	// it as a uuid and parses it again, row after row.
	var tenantArg any
	if tenant != "" {
		var u pgtype.UUID
		if err := u.Scan(tenant); err != nil {
			return nil, fmt.Errorf("audit tenant %q: %w", tenant, err)
		}
		tenantArg = u
	}
	return chainRows(tenantArg, seq, prev, events)
}

// chainRows returns events as rows following the chain head (seq, prev).
// The rows' values, hashes and details share a few allocations: this runs
// for every request's event.
func chainRows(tenant any, seq int64, prev []byte, events []*Event) ([][]any, error) {
	width := len(auditColumns)
	vals := make([]any, width*len(events))
	hashes := make([]byte, sha256.Size*len(events))
	rows := make([][]any, len(events))
	// A row keeps the slice of details it was given, whose bytes a later
	// growth of the buffer leaves in place.
	var details []byte
	var hs hasher
	prevArg := any(prev) // boxed once: a row's hash is the next row's prev_hash
	for i, e := range events {
		seq++
		start := len(details)
		var err error
		if details, err = canonicalDetails(details, e.Details); err != nil {
			return nil, err
		}
		d := details[start:]
		h := hashes[i*sha256.Size : (i+1)*sha256.Size : (i+1)*sha256.Size]
		sum := hs.hash(prev, seq, e, d)
		copy(h, sum[:])
		hashArg := any(h)
		rows[i] = append(vals[i*width:i*width:(i+1)*width], tenant, seq,
			pgtype.Timestamptz{Time: e.OccurredAt, Valid: true}, e.ActorType, e.ActorID, e.Action, e.ResourceType,
			e.ResourceID, e.Outcome, e.Severity, e.ClientIP, e.RequestID, d, prevArg, hashArg)
		prev, prevArg = h, hashArg
	}
	return rows, nil
}

// Break is the first broken link of a chain.
type Break struct {
	// TenantID is the chain's tenant ("" for the system chain).
	TenantID string
	// Seq and ID identify the first row that does not verify.
	Seq, ID int64
	// Reason says what does not match.
	Reason string
}

func (b Break) String() string {
	chain := b.TenantID
	if chain == "" {
		chain = "system"
	}
	return fmt.Sprintf("chain %s: row seq %d (id %d): %s", chain, b.Seq, b.ID, b.Reason)
}

// Report is the outcome of Verify.
type Report struct {
	Chains int
	Rows   int64
	// Breaks holds the first broken link of each chain that has one.
	Breaks []Break
}

// Verify walks every chain (or only tenant's, when tenant is not "") in seq
// order and reports the first broken link of each: a missing or extra row
// (seq out of order), a previous hash that is not the previous row's hash, or
// a hash that does not match the row's contents (an edited row).
func (s *Store) Verify(ctx context.Context, tenant string) (*Report, error) {
	q := `SELECT id, coalesce(tenant_id::text, ''), seq, occurred_at, actor_type, actor_id, action,
		resource_type, resource_id, outcome, severity, client_ip, request_id, details::text, prev_hash, hash
		FROM audit_logs`
	var args []any
	if tenant != "" {
		q += ` WHERE coalesce(tenant_id, '` + noTenant + `'::uuid) = $1::uuid`
		args = append(args, tenant)
	}
	q += ` ORDER BY coalesce(tenant_id, '` + noTenant + `'::uuid), seq`
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading audit logs: %w", err)
	}
	defer rows.Close()
	rep := &Report{}
	var cur string
	var prev []byte
	var want int64
	broken, first := false, true
	for rows.Next() {
		var r Row
		var details string
		if err := rows.Scan(&r.ID, &r.TenantID, &r.Seq, &r.OccurredAt, &r.ActorType, &r.ActorID, &r.Action,
			&r.ResourceType, &r.ResourceID, &r.Outcome, &r.Severity, &r.ClientIP, &r.RequestID, &details,
			&r.PrevHash, &r.Hash); err != nil {
			return nil, fmt.Errorf("reading audit row: %w", err)
		}
		rep.Rows++
		if first || r.TenantID != cur {
			first, cur, prev, want, broken = false, r.TenantID, zeroHash, 1, false
			rep.Chains++
		}
		if broken {
			continue
		}
		if reason := checkRow(&r, details, prev, want); reason != "" {
			rep.Breaks = append(rep.Breaks, Break{TenantID: r.TenantID, Seq: r.Seq, ID: r.ID, Reason: reason})
			broken = true
			continue
		}
		prev, want = r.Hash, r.Seq+1
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading audit logs: %w", err)
	}
	return rep, nil
}

func checkRow(r *Row, details string, prev []byte, want int64) string {
	if r.Seq != want {
		return fmt.Sprintf("expected seq %d: rows are missing or were inserted", want)
	}
	if !bytes.Equal(r.PrevHash, prev) {
		return "prev_hash is not the previous row's hash"
	}
	d, err := decodeDetails(details)
	if err != nil {
		return "details are not a JSON object"
	}
	r.Details = d
	canon, err := canonicalDetails(nil, r.Details)
	var hs hasher
	if h := hs.hash(r.PrevHash, r.Seq, &r.Event, canon); err != nil || !bytes.Equal(h[:], r.Hash) {
		return "hash does not match the row's contents: the row was altered"
	}
	return ""
}

// decodeDetails reads stored details back into the values prepare produced.
func decodeDetails(s string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
