package store

import (
	"context"
	"fmt"
)

// Roles a user may have, from most to least powerful.
const (
	RoleAdmin   = "admin"
	RoleManager = "manager"
	RoleUser    = "user"
	RoleViewer  = "viewer"
)

// Tenant is one customer organisation.
type Tenant struct {
	ID, Slug, Name, Status string
}

// User is one person of a tenant.
type User struct {
	ID, TenantID, Email, DisplayName, Role, Status string
}

// CreateTenant inserts a tenant.
func (s *Store) CreateTenant(ctx context.Context, slug, name string) (*Tenant, error) {
	t := &Tenant{Slug: slug, Name: name}
	err := s.pool.QueryRow(ctx,
		`INSERT INTO tenants (slug, name) VALUES ($1, $2) RETURNING id::text, status`, slug, name).
		Scan(&t.ID, &t.Status)
	if err != nil {
		return nil, fmt.Errorf("creating tenant %q: %w", slug, err)
	}
	return t, nil
}

// CreateUser inserts a user of tenantID. passwordHash may be empty for an SSO-only user.
func (s *Store) CreateUser(ctx context.Context, tenantID, email, displayName, role, passwordHash string) (*User, error) {
	u := &User{TenantID: tenantID, Email: email, DisplayName: displayName, Role: role}
	err := s.pool.QueryRow(ctx, `
INSERT INTO users (tenant_id, email, display_name, role, password_hash)
VALUES ($1, $2, $3, $4, nullif($5, '')) RETURNING id::text, status`,
		tenantID, email, displayName, role, passwordHash).Scan(&u.ID, &u.Status)
	if err != nil {
		return nil, fmt.Errorf("creating user %q: %w", email, err)
	}
	return u, nil
}

// CountTenants returns how many tenants exist.
func (s *Store) CountTenants(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM tenants`).Scan(&n)
	return n, err
}

// SetTenantStatus sets a tenant active or suspended.
func (s *Store) SetTenantStatus(ctx context.Context, tenantID, status string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE tenants SET status = $2, updated_at = now() WHERE id = $1`, tenantID, status)
	if err != nil {
		return fmt.Errorf("setting tenant status: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
