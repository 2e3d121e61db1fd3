package tenantdb

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/audit"

	"github.com/aigw/aigw/internal/store"
)

// Statuses a user or tenant may have.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// UserInfo is a user as administrators see it: never the password hash.
type UserInfo struct {
	ID, TenantID, Email, DisplayName, Role, Status string
	// HasPassword is true when the user may sign in with a password; SSO when
	// the user is linked to an identity provider's subject.
	HasPassword, SSO bool
	// LastLoginAt is zero when the user never signed in.
	LastLoginAt          time.Time
	CreatedAt, UpdatedAt time.Time
}

const userColumns = `u.id::text, u.tenant_id::text, u.email, u.display_name, u.role, u.status,
u.password_hash IS NOT NULL, u.sso_subject IS NOT NULL, coalesce(u.last_login_at, 'epoch'), u.created_at, u.updated_at`

func (u *UserInfo) scanTargets() []any {
	return []any{&u.ID, &u.TenantID, &u.Email, &u.DisplayName, &u.Role, &u.Status, &u.HasPassword, &u.SSO,
		&u.LastLoginAt, &u.CreatedAt, &u.UpdatedAt}
}

func scanUser(row pgx.Row) (*UserInfo, error) {
	var u UserInfo
	if err := row.Scan(u.scanTargets()...); err != nil {
		return nil, notFound(err)
	}
	if u.LastLoginAt.Unix() == 0 {
		u.LastLoginAt = time.Time{}
	}
	return &u, nil
}

// ValidRole reports whether r is one of the four roles.
func ValidRole(r string) bool {
	return r == store.RoleAdmin || r == store.RoleManager || r == store.RoleUser || r == store.RoleViewer
}

// CheckEmail returns a *FieldError (field "email") unless s is a plain
// address such as jane@bank.example.
func CheckEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return &store.FieldError{Field: "email", Reason: "want a plain e-mail address such as jane@bank.example"}
	}
	return nil
}

// CheckName returns a *FieldError (named field) unless s is 1 to max
// characters of valid UTF-8 without control characters.
func CheckName(field, s string, max int) error {
	n := utf8.RuneCountInString(s)
	if !utf8.ValidString(s) || n == 0 || n > max || strings.TrimSpace(s) == "" {
		return &store.FieldError{Field: field, Reason: fmt.Sprintf("want 1 to %d characters", max)}
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return &store.FieldError{Field: field, Reason: "must not hold control characters"}
		}
	}
	return nil
}

// NewUser describes a user to create.
type NewUser struct {
	Email, DisplayName, Role string
	// PasswordHash is the hashed password; empty for a user who signs in
	// only through SSO.
	PasswordHash string
	// SSOSubject links the user to an identity provider's subject (SSO).
	SSOSubject string
}

// Validate checks nu, naming the offending field.
func (nu NewUser) Validate() error {
	if err := CheckEmail(nu.Email); err != nil {
		return err
	}
	if err := CheckName("name", nu.DisplayName, 200); err != nil {
		return err
	}
	if !ValidRole(nu.Role) {
		return &store.FieldError{Field: "role", Reason: "want admin, manager, user or viewer"}
	}
	return nil
}

// ListUsers returns a page of the tenant's users (only the owner for an
// owner-scoped store), by e-mail, with the total count.
func (d *DB) ListUsers(ctx context.Context, p Page) ([]UserInfo, int, error) {
	var total int
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM users u
WHERE u.tenant_id = $1 AND ($2 = '' OR u.id = nullif($2, '')::uuid)`, d.tenantID, d.ownerID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting users: %w", err)
	}
	rows, err := d.pool.Query(ctx, `SELECT `+userColumns+` FROM users u
WHERE u.tenant_id = $1 AND ($2 = '' OR u.id = nullif($2, '')::uuid)
ORDER BY lower(u.email), u.id LIMIT $3 OFFSET $4`, d.tenantID, d.ownerID, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("listing users: %w", err)
	}
	defer rows.Close()
	out := []UserInfo{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("listing users: %w", err)
		}
		out = append(out, *u)
	}
	return out, total, rows.Err()
}

// GetUser returns the tenant's user id, or ErrNotFound.
func (d *DB) GetUser(ctx context.Context, id string) (*UserInfo, error) {
	return d.getUser(ctx, d.pool, id, false)
}

func (d *DB) getUser(ctx context.Context, q store.Querier, id string, lock bool) (*UserInfo, error) {
	if !store.ValidUUID(id) {
		return nil, store.ErrNotFound
	}
	sql := `SELECT ` + userColumns + ` FROM users u
WHERE u.tenant_id = $1 AND u.id = $2 AND ($3 = '' OR u.id = nullif($3, '')::uuid)`
	if lock {
		sql += ` FOR UPDATE`
	}
	return scanUser(q.QueryRow(ctx, sql, d.tenantID, id, d.ownerID))
}

// CreateUser adds a user to the tenant (user.create).
func (d *DB) CreateUser(ctx context.Context, nu NewUser) (*UserInfo, error) {
	if err := nu.Validate(); err != nil {
		return nil, err
	}
	var out *UserInfo
	ev := audit.Event{Action: "user.create", ResourceType: "user",
		Details: map[string]any{"role": nu.Role, "password": nu.PasswordHash != "", "sso": nu.SSOSubject != ""}}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		var err error
		out, err = scanUser(tx.QueryRow(ctx, `
INSERT INTO users AS u (tenant_id, email, display_name, role, password_hash, sso_subject)
VALUES ($1, $2, $3, $4, nullif($5, ''), nullif($6, '')) RETURNING `+userColumns,
			d.tenantID, nu.Email, nu.DisplayName, nu.Role, nu.PasswordHash, nu.SSOSubject))
		if store.UniqueViolation(err, "users_tenant_email_key") {
			return &store.ConflictError{Message: "a user with this e-mail address exists in the tenant"}
		} else if store.UniqueViolation(err, "users_tenant_sso_subject_key") {
			return &store.ConflictError{Message: "a user with this SSO subject exists in the tenant"}
		} else if err != nil {
			return err
		}
		ev.ResourceID = out.ID
		return nil
	})
	return out, err
}

// UserPatch is a change to a user; nil fields are left as they are.
type UserPatch struct {
	DisplayName, Role, Status *string
	// PasswordHash sets a new password; the user's other sessions end.
	PasswordHash *string
	// KeepSession is the session not to end when the password changes (the
	// caller's own), or "".
	KeepSession string
}

// Validate checks p, naming the offending field.
func (p UserPatch) Validate() error {
	if p.DisplayName != nil {
		if err := CheckName("name", *p.DisplayName, 200); err != nil {
			return err
		}
	}
	if p.Role != nil && !ValidRole(*p.Role) {
		return &store.FieldError{Field: "role", Reason: "want admin, manager, user or viewer"}
	}
	if p.Status != nil && *p.Status != StatusActive && *p.Status != StatusSuspended {
		return &store.FieldError{Field: "status", Reason: "want active or suspended"}
	}
	return nil
}

// errLastAdmin refuses to leave a tenant without an active admin.
var errLastAdmin = &store.ConflictError{Message: "the tenant's last active admin cannot be removed, demoted or suspended"}

// UpdateUser changes the tenant's user id (user.update). Demoting or
// suspending the tenant's last active admin is a conflict. A suspension or
// a new password ends the user's sessions (a suspended user's keys stop
// working at every gateway, which watches users' status).
func (d *DB) UpdateUser(ctx context.Context, id string, p UserPatch) (*UserInfo, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var out *UserInfo
	ev := audit.Event{Action: "user.update", ResourceType: "user", ResourceID: id}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		if err := d.lockTenant(ctx, tx); err != nil {
			return err
		}
		cur, err := d.getUser(ctx, tx, id, true)
		if err != nil {
			return err
		}
		losesAdmin := cur.Role == store.RoleAdmin && cur.Status == StatusActive &&
			((p.Role != nil && *p.Role != store.RoleAdmin) || (p.Status != nil && *p.Status != StatusActive))
		if losesAdmin {
			if err := d.keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		ev.Details = patchDetails(cur, p)
		out, err = scanUser(tx.QueryRow(ctx, `
UPDATE users AS u SET display_name = coalesce($3, display_name), role = coalesce($4, role),
       status = coalesce($5, status), password_hash = coalesce($6, password_hash), updated_at = now()
WHERE u.tenant_id = $1 AND u.id = $2 RETURNING `+userColumns, d.tenantID, id, p.DisplayName, p.Role, p.Status, p.PasswordHash))
		if err != nil {
			return err
		}
		if p.PasswordHash != nil || (p.Status != nil && *p.Status != StatusActive) {
			n, err := revokeUserSessions(ctx, tx, d.tenantID, id, p.KeepSession)
			ev.Details["sessions_ended"] = n
			return err
		}
		return nil
	})
	return out, err
}

// patchDetails is what the audit trail says of a change: the fields changed
// with old and new values, never the password.
func patchDetails(cur *UserInfo, p UserPatch) map[string]any {
	d := map[string]any{}
	if p.DisplayName != nil && *p.DisplayName != cur.DisplayName {
		d["name_changed"] = true
	}
	if p.Role != nil && *p.Role != cur.Role {
		d["role"] = map[string]any{"from": cur.Role, "to": *p.Role}
	}
	if p.Status != nil && *p.Status != cur.Status {
		d["status"] = map[string]any{"from": cur.Status, "to": *p.Status}
	}
	if p.PasswordHash != nil {
		d["password_changed"] = true
	}
	return d
}

// DeletedUser is what DeleteUser removed.
type DeletedUser struct {
	UserInfo
	// KeysRevoked is how many of the user's keys stopped working.
	KeysRevoked int64
}

// DeleteUser removes the tenant's user id (user.delete): first its keys are
// revoked, then the user and the keys are deleted. Every gateway drops them
// from its cache at once (the api_keys and users triggers notify). Removing
// the tenant's last active admin is a conflict.
func (d *DB) DeleteUser(ctx context.Context, id string) (*DeletedUser, error) {
	var out DeletedUser
	ev := audit.Event{Action: "user.delete", ResourceType: "user", ResourceID: id}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		if err := d.lockTenant(ctx, tx); err != nil {
			return err
		}
		cur, err := d.getUser(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if cur.Role == store.RoleAdmin && cur.Status == StatusActive {
			if err := d.keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = now()
WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL`, d.tenantID, id)
		if err != nil {
			return err
		}
		out.UserInfo, out.KeysRevoked = *cur, tag.RowsAffected()
		if _, err := tx.Exec(ctx, `DELETE FROM users WHERE tenant_id = $1 AND id = $2`, d.tenantID, id); err != nil {
			return err
		}
		ev.Details = map[string]any{"role": cur.Role, "keys_revoked": out.KeysRevoked}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// lockTenant serialises changes to the tenant's users (the last-admin rule)
// without blocking the gateway, which only reads tenants.
func (d *DB) lockTenant(ctx context.Context, tx pgx.Tx) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE`, d.tenantID).Scan(&one)
	return notFound(err)
}

// keepAnAdmin fails with errLastAdmin unless the tenant has an active admin
// other than except.
func (d *DB) keepAnAdmin(ctx context.Context, tx pgx.Tx, except string) error {
	var others int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM users
WHERE tenant_id = $1 AND role = 'admin' AND status = 'active' AND id <> $2`, d.tenantID, except).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		return errLastAdmin
	}
	return nil
}
