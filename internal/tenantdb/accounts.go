package tenantdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/internal/audit"

	"github.com/aigw/aigw/internal/store"
)

// Accounts is what happens before a session exists: registration,
// credentials, sessions' lookup and sign-in throttling.
type Accounts struct {
	pool  *pgxpool.Pool
	audit *audit.Store
}

// NewAccounts returns the accounts of st's database.
func NewAccounts(st *store.Store, opts ...Option) *Accounts {
	o := newOptions(opts)
	return &Accounts{pool: st.Pool(), audit: audit.NewStore(st.Pool(), audit.WithClock(o.now))}
}

// Record appends events that belong to no change (a failed sign-in) to
// their tenants' chains (the system chain for no tenant).
func (a *Accounts) Record(ctx context.Context, events ...audit.Event) error {
	return a.audit.Append(ctx, events...)
}

// Registration is a new tenant and its first admin.
type Registration struct {
	// TenantName is the tenant's display name; its slug is derived from it.
	TenantName string
	// Admin is the first user; its role is always admin.
	Admin NewUser
}

// Validate checks r, naming the offending field.
func (r Registration) Validate() error {
	if err := CheckName("tenant_name", r.TenantName, 200); err != nil {
		return err
	}
	r.Admin.Role = store.RoleAdmin
	return r.Admin.Validate()
}

// Register creates a tenant and its first admin in one transaction, and
// records tenant.register on the new tenant's chain. The slug is the name in
// lower case with dashes, made unique with a random suffix when taken.
func (a *Accounts) Register(ctx context.Context, r Registration, actor Actor) (*store.Tenant, *UserInfo, error) {
	r.Admin.Role = store.RoleAdmin
	if err := r.Validate(); err != nil {
		return nil, nil, err
	}
	var tn store.Tenant
	var u *UserInfo
	err := pgx.BeginFunc(ctx, a.pool, func(tx pgx.Tx) error {
		base := Slugify(r.TenantName)
		for attempt := 0; tn.ID == ""; attempt++ {
			slug := base
			if attempt > 0 {
				slug = suffixed(base)
			}
			if attempt > 5 {
				return fmt.Errorf("no free slug for %q", base)
			}
			err := tx.QueryRow(ctx, `INSERT INTO tenants (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING
RETURNING id::text, slug, name, status`, slug, r.TenantName).Scan(&tn.ID, &tn.Slug, &tn.Name, &tn.Status)
			if err != nil && err != pgx.ErrNoRows {
				return err
			}
		}
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `
INSERT INTO users AS u (tenant_id, email, display_name, role, password_hash)
VALUES ($1, $2, $3, 'admin', nullif($4, '')) RETURNING `+userColumns,
			tn.ID, r.Admin.Email, r.Admin.DisplayName, r.Admin.PasswordHash))
		if err != nil {
			return err
		}
		return a.audit.AppendTx(ctx, tx, audit.Event{
			TenantID: tn.ID, ActorType: audit.ActorUser, ActorID: u.ID, ClientIP: actor.ClientIP,
			RequestID: actor.RequestID, Action: "tenant.register", ResourceType: "tenant", ResourceID: tn.ID,
			Details: map[string]any{"slug": tn.Slug},
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("registering tenant: %w", err)
	}
	return &tn, u, nil
}

// Slugify turns a display name into a tenant slug: lower-case letters,
// digits and single dashes, at most 40 characters, "tenant" if nothing is
// left.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	if b.Len() == 0 {
		return "tenant"
	}
	return strings.TrimRight(b.String(), "-")
}

func suffixed(base string) string {
	var b [3]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	return base + "-" + hex.EncodeToString(b[:])
}

// Credential is what a password sign-in checks.
type Credential struct {
	UserID, TenantID, TenantSlug, PasswordHash string
	// Active is true when both the user and the tenant are active.
	Active bool
}

// Credentials returns the users with a password whose e-mail is email
// (case-insensitively), in every tenant or in the tenant with slug tenant.
// An e-mail is unique within a tenant, not across tenants.
func (a *Accounts) Credentials(ctx context.Context, email, tenant string) ([]Credential, error) {
	rows, err := a.pool.Query(ctx, `
SELECT u.id::text, u.tenant_id::text, t.slug, u.password_hash, u.status = 'active' AND t.status = 'active'
FROM users u JOIN tenants t ON t.id = u.tenant_id
WHERE lower(u.email) = lower($1) AND u.password_hash IS NOT NULL AND ($2 = '' OR t.slug = $2)
ORDER BY t.slug LIMIT 20`, email, tenant)
	if err != nil {
		return nil, fmt.Errorf("finding credentials: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Credential])
	if err != nil {
		return nil, fmt.Errorf("finding credentials: %w", err)
	}
	return out, nil
}

// TenantByID returns the tenant with id, or ErrNotFound.
func (a *Accounts) TenantByID(ctx context.Context, id string) (*store.Tenant, error) {
	if !store.ValidUUID(id) {
		return nil, store.ErrNotFound
	}
	var t store.Tenant
	err := a.pool.QueryRow(ctx, `SELECT id::text, slug, name, status FROM tenants WHERE id = $1`, id).
		Scan(&t.ID, &t.Slug, &t.Name, &t.Status)
	if err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}
