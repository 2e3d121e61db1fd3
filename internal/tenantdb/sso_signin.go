package tenantdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
)

// SSOProvider is what a sign-in page offers: a tenant's enabled provider.
type SSOProvider struct {
	// TenantID, TenantSlug and TenantName name the tenant.
	TenantID, TenantSlug, TenantName string
	// DisplayName labels the button.
	DisplayName string
	// SSOOnly says the tenant refuses password sign-in.
	SSOOnly bool
}

// SSOProviders returns the enabled providers of active tenants: the
// tenant with slug tenantSlug, or the tenants that allow e-mail domain
// domain (tenants that allow every domain are found by slug only).
func (a *Accounts) SSOProviders(ctx context.Context, tenantSlug, domain string) ([]SSOProvider, error) {
	rows, err := a.pool.Query(ctx, `
SELECT t.id::text, t.slug, t.name, c.display_name, c.sso_only
FROM sso_configs c JOIN tenants t ON t.id = c.tenant_id
WHERE c.enabled AND t.status = 'active'
  AND (($1 <> '' AND t.slug = $1) OR ($2 <> '' AND c.allowed_domains @> ARRAY[$2]::text[]))
ORDER BY t.name, t.slug LIMIT 20`, tenantSlug, domain)
	if err != nil {
		return nil, fmt.Errorf("finding SSO providers: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[SSOProvider])
	if err != nil {
		return nil, fmt.Errorf("finding SSO providers: %w", err)
	}
	return out, nil
}

// TenantSSO returns the tenant with slug (slug != "") or id, and its SSO
// configuration, or ErrNotFound when either is missing.
func (a *Accounts) TenantSSO(ctx context.Context, slug, id string) (*store.Tenant, *SSOConfig, error) {
	if slug == "" && !store.ValidUUID(id) {
		return nil, nil, store.ErrNotFound
	}
	var tn store.Tenant
	err := a.pool.QueryRow(ctx, `SELECT id::text, slug, name, status FROM tenants
WHERE ($1 <> '' AND slug = $1) OR ($1 = '' AND id = nullif($2, '')::uuid)`, slug, id).Scan(&tn.ID, &tn.Slug, &tn.Name, &tn.Status)
	if err != nil {
		return nil, nil, notFound(err)
	}
	c, err := scanSSO(a.pool.QueryRow(ctx, `SELECT `+ssoColumns+` FROM sso_configs c WHERE c.tenant_id = $1`, tn.ID))
	if err != nil {
		return nil, nil, err
	}
	return &tn, c, nil
}

// PasswordRefused reports whether tenantID's users must sign in through
// SSO (an enabled configuration with SSO-only set).
func (a *Accounts) PasswordRefused(ctx context.Context, tenantID string) (bool, error) {
	var refused bool
	err := a.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sso_configs WHERE tenant_id = $1 AND enabled AND sso_only)`, tenantID).Scan(&refused)
	if err != nil {
		return false, fmt.Errorf("checking SSO-only: %w", err)
	}
	return refused, nil
}

// SSOIdentity is a user an identity provider vouched for, with the role
// the tenant's mapping gives them.
type SSOIdentity struct {
	// Issuer and Subject identify the user at the provider.
	Issuer, Subject string
	// Email (verified by the provider) and Name are used when the user is
	// created; Email also finds an existing user to link.
	Email, Name string
	// Role is the mapped role (or the default role).
	Role string
	// SyncRole sets an existing user's role to Role.
	SyncRole bool
	// Groups is how many values the role claim held (for the audit trail).
	Groups int
}

// SSO sign-in refusals of SSOSignIn.
var (
	// ErrSSOSuspended: the user exists and is suspended.
	ErrSSOSuspended = errors.New("the user is suspended")
	// ErrSSOConflict: the e-mail's user is linked to another subject of
	// the same provider.
	ErrSSOConflict = errors.New("the e-mail's user is linked to another identity of this provider")
)

// SSOSignInResult is what SSOSignIn did.
type SSOSignInResult struct {
	// User is the signed-in user as it is now.
	User *UserInfo
	// Created: the user was created just in time; Linked: an existing
	// user (found by e-mail) was linked to the identity.
	Created, Linked bool
}

// SSOSignIn finds the tenant's user of identity id — by issuer and
// subject, else by e-mail (then linked to the identity) — or creates it
// with id.Role, and, for an existing user with id.SyncRole, sets its role
// to id.Role (but never demotes the tenant's last active admin). It
// records sso.login and what it changed (user.create, user.sso_link,
// user.update) in one transaction.
func (d *DB) SSOSignIn(ctx context.Context, id SSOIdentity) (*SSOSignInResult, error) {
	if !ValidRole(id.Role) || id.Issuer == "" || id.Subject == "" {
		return nil, errors.New("SSO sign-in: issuer, subject and a valid role are required")
	}
	var res SSOSignInResult
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if err := d.lockTenant(ctx, tx); err != nil {
			return err
		}
		events, err := d.ssoUser(ctx, tx, id, &res)
		if err != nil {
			return err
		}
		login := audit.Event{Action: "sso.login", ResourceType: "user", ResourceID: res.User.ID,
			Details: map[string]any{"issuer": id.Issuer, "groups": id.Groups, "role": res.User.Role,
				"created": res.Created, "linked": res.Linked}}
		events = append(events, login)
		for i := range events {
			events[i].ActorType, events[i].ActorID = audit.ActorUser, res.User.ID
			events[i] = d.event(events[i])
		}
		return d.audit.AppendTx(ctx, tx, events...)
	})
	if err != nil {
		return nil, fmt.Errorf("SSO sign-in: %w", err)
	}
	return &res, nil
}

// ssoUser finds, links or creates the user and syncs its role, returning
// the audit events of its changes.
func (d *DB) ssoUser(ctx context.Context, tx pgx.Tx, id SSOIdentity, res *SSOSignInResult) ([]audit.Event, error) {
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users u
WHERE u.tenant_id = $1 AND u.sso_issuer = $2 AND u.sso_subject = $3 FOR UPDATE`, d.tenantID, id.Issuer, id.Subject))
	if errors.Is(err, store.ErrNotFound) {
		return d.ssoLinkOrCreate(ctx, tx, id, res)
	}
	if err != nil {
		return nil, err
	}
	res.User = u
	if u.Status != StatusActive {
		return nil, ErrSSOSuspended
	}
	return d.ssoSyncRole(ctx, tx, id, res)
}

func (d *DB) ssoLinkOrCreate(ctx context.Context, tx pgx.Tx, id SSOIdentity, res *SSOSignInResult) ([]audit.Event, error) {
	var issuer, subject *string
	u, err := scanUserWith(tx.QueryRow(ctx, `SELECT `+userColumns+`, u.sso_issuer, u.sso_subject FROM users u
WHERE u.tenant_id = $1 AND lower(u.email) = lower($2) FOR UPDATE`, d.tenantID, id.Email), &issuer, &subject)
	if errors.Is(err, store.ErrNotFound) {
		return d.ssoCreate(ctx, tx, id, res)
	}
	if err != nil {
		return nil, err
	}
	res.User = u
	if u.Status != StatusActive {
		return nil, ErrSSOSuspended
	}
	if issuer != nil && *issuer == id.Issuer && subject != nil && *subject != id.Subject {
		return nil, ErrSSOConflict
	}
	if _, err := tx.Exec(ctx, `UPDATE users SET sso_issuer = $3, sso_subject = $4, updated_at = now()
WHERE tenant_id = $1 AND id = $2`, d.tenantID, u.ID, id.Issuer, id.Subject); err != nil {
		return nil, err
	}
	res.Linked, u.SSO = true, true
	link := audit.Event{Action: "user.sso_link", ResourceType: "user", ResourceID: u.ID,
		Details: map[string]any{"issuer": id.Issuer, "relinked": issuer != nil}}
	more, err := d.ssoSyncRole(ctx, tx, id, res)
	return append([]audit.Event{link}, more...), err
}

func (d *DB) ssoCreate(ctx context.Context, tx pgx.Tx, id SSOIdentity, res *SSOSignInResult) ([]audit.Event, error) {
	nu := NewUser{Email: id.Email, DisplayName: ssoDisplayName(id), Role: id.Role}
	if err := nu.Validate(); err != nil {
		return nil, err
	}
	u, err := scanUser(tx.QueryRow(ctx, `
INSERT INTO users AS u (tenant_id, email, display_name, role, sso_issuer, sso_subject)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+userColumns, d.tenantID, nu.Email, nu.DisplayName, nu.Role, id.Issuer, id.Subject))
	if err != nil {
		return nil, err
	}
	res.User, res.Created = u, true
	return []audit.Event{{Action: "user.create", ResourceType: "user", ResourceID: u.ID,
		Details: map[string]any{"role": u.Role, "password": false, "sso": true, "source": "sso_jit", "issuer": id.Issuer}}}, nil
}

// ssoDisplayName is the name a new user gets: the provider's, else the
// e-mail's local part, cut to 200 characters without control characters.
func ssoDisplayName(id SSOIdentity) string {
	name := strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, strings.TrimSpace(id.Name))
	if name == "" {
		name, _, _ = strings.Cut(id.Email, "@")
	}
	for utf8.RuneCountInString(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// ssoSyncRole sets res.User's role to id.Role when id.SyncRole, keeping
// the tenant's last active admin an admin (audited as user.sso_role_kept).
func (d *DB) ssoSyncRole(ctx context.Context, tx pgx.Tx, id SSOIdentity, res *SSOSignInResult) ([]audit.Event, error) {
	u := res.User
	if !id.SyncRole || u.Role == id.Role {
		return nil, nil
	}
	if u.Role == store.RoleAdmin {
		if err := d.keepAnAdmin(ctx, tx, u.ID); errors.Is(err, errLastAdmin) {
			return []audit.Event{{Action: "user.sso_role_kept", ResourceType: "user", ResourceID: u.ID,
				Severity: audit.SeverityWarning, Outcome: audit.OutcomeDenied,
				Details: map[string]any{"role": u.Role, "mapped_role": id.Role, "reason": "the tenant's last active admin"}}}, nil
		} else if err != nil {
			return nil, err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE users SET role = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
		d.tenantID, u.ID, id.Role); err != nil {
		return nil, err
	}
	ev := audit.Event{Action: "user.update", ResourceType: "user", ResourceID: u.ID,
		Details: map[string]any{"role": map[string]any{"from": u.Role, "to": id.Role}, "source": "sso"}}
	u.Role = id.Role
	return []audit.Event{ev}, nil
}

// scanUserWith scans a user followed by extra columns.
func scanUserWith(row pgx.Row, extra ...any) (*UserInfo, error) {
	var u UserInfo
	if err := row.Scan(append(u.scanTargets(), extra...)...); err != nil {
		return nil, notFound(err)
	}
	if u.LastLoginAt.Unix() == 0 {
		u.LastLoginAt = time.Time{}
	}
	return &u, nil
}
