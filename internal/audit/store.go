package audit

import (
	"context"
	"crypto/sha256"
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
	key       []byte // signs checkpoints; nil: unsigned
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock that stamps events without a time.
func WithClock(now func() time.Time) Option { return func(st *Store) { st.now = now } }

// NewStore returns a Store over pool, which it does not own.
// Checkpoints are signed with AIGW_AUDIT_KEY from the environment unless
// WithCheckpointKey says otherwise.
func NewStore(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{pool: pool, sanitizer: DefaultSanitizer{}, now: time.Now, key: envKey()}
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
	cps := make([]Checkpoint, 0, len(byTenant))
	for _, tenant := range sortedTenants(byTenant) {
		chained, cp, err := chainTenant(ctx, tx, tenant, byTenant[tenant])
		if err != nil {
			return err
		}
		rows = append(rows, chained...)
		cps = append(cps, cp)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_logs"}, auditColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("appending %d audit events: %w", len(rows), err)
	}
	return s.checkpoint(ctx, tx, cps)
}

// chainTenant locks tenant's chain for the transaction, reads its head and
// returns the events as chained rows, and the chain's new head.
func chainTenant(ctx context.Context, tx pgx.Tx, tenant string, events []*Event) ([][]any, Checkpoint, error) {
	key := orDefault(tenant, noTenant)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('aigw.audit:' || $1, 0))`, key); err != nil {
		return nil, Checkpoint{}, fmt.Errorf("locking audit chain: %w", err)
	}
	seq, prev, err := chainHead(ctx, tx, key)
	if err != nil {
		return nil, Checkpoint{}, err
	}
	// One boxed tenant id for every row: given a string, pgx fails to encode
	// it as a uuid and parses it again, row after row.
	var tenantArg any
	if tenant != "" {
		var u pgtype.UUID
		if err := u.Scan(tenant); err != nil {
			return nil, Checkpoint{}, fmt.Errorf("audit tenant %q: %w", tenant, err)
		}
		tenantArg = u
	}
	rows, err := chainRows(tenantArg, seq, prev, events)
	if err != nil {
		return nil, Checkpoint{}, err
	}
	last := rows[len(rows)-1]
	return rows, Checkpoint{Chain: key, Seq: *last[1].(int8Ref).p, Hash: *last[len(last)-1].(bytesRef).p}, nil
}

// chainRows returns events as rows following the chain head (seq, prev).
// This runs for every request's event, so a row's values allocate nothing of
// their own: boxing a string, a large integer, a time or a slice into an
// interface allocates one object each (a dozen a row), and pgx re-boxes what
// a plain pointer points to. The values are one-pointer references instead
// (textRef, int8Ref, timeRef, bytesRef), into the events or into arrays
// allocated once per batch, which pgx reads through its Valuer interfaces.
// The details stay a []byte: the jsonb codec encodes anything else with
// encoding/json.
func chainRows(tenant any, seq int64, prev []byte, events []*Event) ([][]any, error) {
	width, n := len(auditColumns), len(events)
	vals := make([]any, width*n)
	rows := make([][]any, n)
	seqs, times := make([]int64, n), make([]pgtype.Timestamptz, n)
	slices := make([][]byte, n+1) // each row's hash, then the head's
	hashes := make([]byte, sha256.Size*n)
	// A row keeps the slice of details it was given, whose bytes a later
	// growth of the buffer leaves in place.
	var details []byte
	var hs hasher
	slices[n] = prev
	prevArg := bytesRef{&slices[n]} // a row's hash is the next row's prev_hash
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
		seqs[i], slices[i] = seq, h
		times[i] = pgtype.Timestamptz{Time: e.OccurredAt, Valid: true}
		hashArg := bytesRef{&slices[i]}
		rows[i] = append(vals[i*width:i*width:(i+1)*width], tenant, int8Ref{&seqs[i]}, timeRef{&times[i]},
			textRef{&e.ActorType}, textRef{&e.ActorID}, textRef{&e.Action}, textRef{&e.ResourceType},
			textRef{&e.ResourceID}, textRef{&e.Outcome}, textRef{&e.Severity}, textRef{&e.ClientIP},
			textRef{&e.RequestID}, d, prevArg, hashArg)
		prev, prevArg = h, hashArg
	}
	return rows, nil
}

// One-pointer values that pgx encodes through its Valuer interfaces; stored
// in an interface they allocate nothing.
type (
	textRef  struct{ p *string }
	int8Ref  struct{ p *int64 }
	timeRef  struct{ p *pgtype.Timestamptz }
	bytesRef struct{ p *[]byte }
)

func (r textRef) TextValue() (pgtype.Text, error)               { return pgtype.Text{String: *r.p, Valid: true}, nil }
func (r int8Ref) Int64Value() (pgtype.Int8, error)              { return pgtype.Int8{Int64: *r.p, Valid: true}, nil }
func (r timeRef) TimestamptzValue() (pgtype.Timestamptz, error) { return *r.p, nil }
func (r bytesRef) BytesValue() ([]byte, error)                  { return *r.p, nil }

// Interface guards.
var (
	_ pgtype.TextValuer        = textRef{}
	_ pgtype.Int64Valuer       = int8Ref{}
	_ pgtype.TimestamptzValuer = timeRef{}
	_ pgtype.BytesValuer       = bytesRef{}
)
