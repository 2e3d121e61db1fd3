package store

import (
	"context"
	"fmt"
	"time"
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

// TenantInfo is a tenant with its limits, for operators.
type TenantInfo struct {
	Tenant
	RPM, TPM, Concurrency int
	BudgetUSD             string // "" when none
	Keys                  int    // keys not revoked
	CreatedAt             time.Time
}

// ListTenants returns every tenant, by slug.
func (s *Store) ListTenants(ctx context.Context) ([]TenantInfo, error) {
	rows, err := s.pool.Query(ctx, `
SELECT t.id::text, t.slug, t.name, t.status, coalesce(t.rpm_limit, 0), coalesce(t.tpm_limit, 0),
       coalesce(t.max_concurrency, 0), coalesce(t.monthly_budget_usd::text, ''),
       (SELECT count(*) FROM api_keys k WHERE k.tenant_id = t.id AND k.revoked_at IS NULL), t.created_at
FROM tenants t ORDER BY t.slug`)
	if err != nil {
		return nil, fmt.Errorf("listing tenants: %w", err)
	}
	defer rows.Close()
	var out []TenantInfo
	for rows.Next() {
		var t TenantInfo
		if err := rows.Scan(&t.ID, &t.Slug, &t.Name, &t.Status, &t.RPM, &t.TPM, &t.Concurrency, &t.BudgetUSD,
			&t.Keys, &t.CreatedAt); err != nil {
			return nil, fmt.Errorf("listing tenants: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TenantBySlug returns the tenant with slug, or ErrNotFound.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (*Tenant, error) {
	var t Tenant
	err := s.pool.QueryRow(ctx, `SELECT id::text, slug, name, status FROM tenants WHERE slug = $1`, slug).
		Scan(&t.ID, &t.Slug, &t.Name, &t.Status)
	if err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// SetTenantLimits sets a tenant's limits; zero values and an empty budget
// clear them (the gateway's defaults then apply).
func (s *Store) SetTenantLimits(ctx context.Context, tenantID string, rpm, tpm, concurrency int, budgetUSD string) error {
	if budgetUSD != "" && !ValidUSD(budgetUSD) {
		return fmt.Errorf("budget %q: want a dollar amount such as 250 or 99.50", budgetUSD)
	}
	tag, err := s.pool.Exec(ctx, `
UPDATE tenants SET rpm_limit = nullif($2, 0), tpm_limit = nullif($3, 0), max_concurrency = nullif($4, 0),
       monthly_budget_usd = nullif($5, '')::numeric, updated_at = now()
WHERE id = $1`, tenantID, rpm, tpm, concurrency, budgetUSD)
	if err != nil {
		return fmt.Errorf("setting tenant limits: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
