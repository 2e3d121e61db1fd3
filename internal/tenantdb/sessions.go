package tenantdb

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/audit"

	"github.com/aigw/aigw/internal/store"
)

// Session methods, as admin_sessions.method holds them.
const (
	SessionPassword = "password"
	SessionSSO      = "sso"
)

// SessionUser is an open session with its user and tenant as they are now,
// so a changed role or a suspension applies to the next request.
type SessionUser struct {
	// SessionID is the session's id (the token's jti).
	SessionID string
	// Method is how the user signed in: password or sso.
	Method string
	// ExpiresAt is the session's absolute end.
	ExpiresAt time.Time
	// LastSeenAt is when the session was last used (at minute precision).
	LastSeenAt time.Time
	// User is the signed-in user.
	User UserInfo
	// Tenant is the user's tenant.
	Tenant store.Tenant
}

// SessionStart describes a session to open.
type SessionStart struct {
	// UserID is the signed-in user, of the DB's tenant.
	UserID string
	// Method is how the user signed in: SessionPassword or SessionSSO.
	Method string
	// Now is the sign-in time; ExpiresAt the session's absolute end.
	Now, ExpiresAt time.Time
	// PasswordRehash, when not empty, replaces the user's password hash (a
	// stronger hash of the password that was just checked).
	PasswordRehash string
}

// OpenSession starts a session and records the sign-in (auth.login) in the
// same transaction. It returns the session's id, or ErrNotFound when the
// user is not an active user of the tenant.
func (d *DB) OpenSession(ctx context.Context, st SessionStart) (string, error) {
	var id string
	userID, method, now, expires := st.UserID, st.Method, st.Now, st.ExpiresAt
	ev := audit.Event{Action: "auth.login", ActorType: audit.ActorUser, ActorID: userID,
		ResourceType: "session", Details: map[string]any{"method": method}}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		err := tx.QueryRow(ctx, `
INSERT INTO admin_sessions (tenant_id, user_id, method, created_at, last_seen_at, expires_at)
SELECT $1, u.id, $3, $4, $4, $5 FROM users u
WHERE u.tenant_id = $1 AND u.id = $2 AND u.status = 'active'
RETURNING id::text`, d.tenantID, userID, method, now, expires).Scan(&id)
		if err != nil {
			return notFound(err)
		}
		ev.ResourceID = id
		// The user's sessions that ended over a day ago are of no more use.
		if _, err := tx.Exec(ctx, `DELETE FROM admin_sessions WHERE tenant_id = $1 AND user_id = $2
  AND (expires_at < $3::timestamptz - interval '1 day' OR revoked_at < $3::timestamptz - interval '1 day')`,
			d.tenantID, userID, now); err != nil {
			return err
		}
		if st.PasswordRehash != "" {
			ev.Details["password_rehashed"] = true
		}
		_, err = tx.Exec(ctx, `UPDATE users SET last_login_at = $3, password_hash = coalesce(nullif($4, ''), password_hash)
WHERE tenant_id = $1 AND id = $2`, d.tenantID, userID, now, st.PasswordRehash)
		return err
	})
	return id, err
}

// ActiveSession returns the session with id and its user, if the session
// is neither revoked nor expired at now, has been used within idle, and its
// user and tenant are active; otherwise ErrNotFound.
func (a *Accounts) ActiveSession(ctx context.Context, id string, now time.Time, idle time.Duration) (*SessionUser, error) {
	if !store.ValidUUID(id) {
		return nil, store.ErrNotFound
	}
	var su SessionUser
	u, tn := &su.User, &su.Tenant
	err := a.pool.QueryRow(ctx, `
SELECT s.id::text, s.method, s.expires_at, s.last_seen_at, `+userColumns+`, t.id::text, t.slug, t.name, t.status
FROM admin_sessions s
JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id
JOIN tenants t ON t.id = s.tenant_id
WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3
  AND u.status = 'active' AND t.status = 'active'`, id, now, now.Add(-idle)).
		Scan(append([]any{&su.SessionID, &su.Method, &su.ExpiresAt, &su.LastSeenAt}, append(u.scanTargets(),
			&tn.ID, &tn.Slug, &tn.Name, &tn.Status)...)...)
	if err != nil {
		return nil, notFound(err)
	}
	return &su, nil
}

// TouchSession moves the session's idle timeout on to now. It writes at
// most once a minute per session.
func (a *Accounts) TouchSession(ctx context.Context, id string, now time.Time) error {
	_, err := a.pool.Exec(ctx, `UPDATE admin_sessions SET last_seen_at = $2
WHERE id = $1 AND last_seen_at < $2::timestamptz - interval '1 minute'`, id, now)
	if err != nil {
		return fmt.Errorf("touching session: %w", err)
	}
	return nil
}

// CloseSession revokes session id of t's owner (sign-out), recording
// auth.logout. Closing a closed session succeeds and records nothing new
// about the session's state.
func (d *DB) CloseSession(ctx context.Context, id string) error {
	ev := audit.Event{Action: "auth.logout", ResourceType: "session", ResourceID: id}
	return d.change(ctx, ev, func(tx pgx.Tx, _ *audit.Event) error {
		tag, err := tx.Exec(ctx, `UPDATE admin_sessions SET revoked_at = coalesce(revoked_at, now())
WHERE tenant_id = $1 AND id = $2 AND ($3 = '' OR user_id = nullif($3, '')::uuid)`, d.tenantID, id, d.ownerID)
		if err == nil && tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		return err
	})
}

// revokeUserSessions ends every open session of a user but keep (a session
// id, or "").
func revokeUserSessions(ctx context.Context, tx pgx.Tx, tenantID, userID, keep string) (int64, error) {
	tag, err := tx.Exec(ctx, `UPDATE admin_sessions SET revoked_at = now()
WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL AND ($3 = '' OR id <> nullif($3, '')::uuid)`,
		tenantID, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("ending the user's sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}
