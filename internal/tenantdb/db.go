// Package tenantdb is the admin API's data layer: the shared store bound to
// one tenant (and, for callers who may see only their own rows, one user),
// whose every change runs in one transaction with its audit event. It also
// holds what happens before a session exists: registration, sign-in
// credentials, sessions and sign-in throttling.
//
// It sits beside internal/store rather than in it because it writes the
// audit trail (internal/audit), whose tests use internal/store.
package tenantdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
)

// Actor is who makes a change, as the audit trail records it.
type Actor struct {
	// UserID is the acting user; empty for the system (registration, SSO
	// provisioning before a user exists).
	UserID string
	// ClientIP is the caller's address (the audit writer masks it).
	ClientIP string
	// RequestID links the change to the admin API request that made it.
	RequestID string
}

// DB is the store bound to one tenant and, for callers who may see only
// their own rows, to one owner. Every query it runs filters by its tenant
// (and owner), which the caller takes from the session, never from a
// request: another tenant's rows are not found. Every change it makes runs
// in one transaction with its audit event, so a change is never stored
// without its event, nor an event without its change.
type DB struct {
	st       *store.Store
	pool     *pgxpool.Pool
	audit    *audit.Store
	tenantID string
	ownerID  string
	actor    Actor
	now      func() time.Time
}

// Option configures a DB or Accounts.
type Option func(*options)

type options struct{ now func() time.Time }

// WithClock sets the clock that stamps audit events (default time.Now).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

func newOptions(opts []Option) options {
	o := options{now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// New returns st bound to tenantID, making changes as actor.
func New(st *store.Store, tenantID string, actor Actor, opts ...Option) *DB {
	o := newOptions(opts)
	return &DB{st: st, pool: st.Pool(), audit: audit.NewStore(st.Pool(), audit.WithClock(o.now)), tenantID: tenantID,
		actor: actor, now: o.now}
}

// Owner returns d restricted to the rows of user userID (their profile,
// their keys, their usage). It only ever narrows: on a DB already bound to
// another owner it finds nothing.
func (d *DB) Owner(userID string) *DB {
	c := *d
	c.ownerID = userID
	if d.ownerID != "" && d.ownerID != userID {
		c.ownerID = nobody
	}
	return &c
}

// nobody is an owner no row has (user ids are random UUIDs).
const nobody = "00000000-0000-0000-0000-000000000000"

// TenantID returns the tenant d is bound to.
func (d *DB) TenantID() string { return d.tenantID }

// OwnerID returns the owner d is restricted to, or "" for the whole tenant.
func (d *DB) OwnerID() string { return d.ownerID }

// change runs fn in a transaction and appends ev, completed by fn (its
// resource id, details), to the tenant's audit chain in the same
// transaction.
func (d *DB) change(ctx context.Context, ev audit.Event, fn func(tx pgx.Tx, ev *audit.Event) error) error {
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if err := fn(tx, &ev); err != nil {
			return err
		}
		return d.audit.AppendTx(ctx, tx, d.event(ev))
	})
	if err != nil {
		return fmt.Errorf("%s: %w", ev.Action, err)
	}
	return nil
}

// event fills in what every event of d carries: tenant and actor.
func (d *DB) event(ev audit.Event) audit.Event {
	ev.TenantID = d.tenantID
	if ev.ActorType == "" {
		ev.ActorType, ev.ActorID = audit.ActorUser, d.actor.UserID
		if d.actor.UserID == "" {
			ev.ActorType = audit.ActorSystem
		}
	}
	if ev.ClientIP == "" {
		ev.ClientIP = d.actor.ClientIP
	}
	if ev.RequestID == "" {
		ev.RequestID = d.actor.RequestID
	}
	return ev
}

// Record appends ev, an event that changes nothing in the database (a
// refusal, an export, a test), to the tenant's audit chain.
func (d *DB) Record(ctx context.Context, ev audit.Event) error {
	if err := d.audit.Append(ctx, d.event(ev)); err != nil {
		return fmt.Errorf("recording %s: %w", ev.Action, err)
	}
	return nil
}

// Page is a window of a list: at most Limit rows after Offset.
type Page struct {
	Limit, Offset int
}

// notFound maps "no rows" to store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}
