package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aigw/aigw/internal/apikey"
)

// KeyRecord is what the gateway needs to know about a presented API key: who
// it belongs to and what it may do. It joins the key with its tenant and user.
type KeyRecord struct {
	ID            string
	TenantID      string
	TenantSlug    string
	UserID        string // empty for a tenant-wide key
	Name          string
	Prefix        string
	AllowedModels []string
	RPMLimit      int // 0: no per-key limit
	TPMLimit      int
	MaxConcurrent int
	ExpiresAt     time.Time // zero: never
	RevokedAt     time.Time // zero: not revoked
	TenantActive  bool
	UserActive    bool // true for a tenant-wide key
}

// Usable reports whether the key may be used at now, and if not why (for logs,
// never for the client).
func (k *KeyRecord) Usable(now time.Time) (bool, string) {
	switch {
	case !k.RevokedAt.IsZero():
		return false, "revoked"
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return false, "expired"
	case !k.TenantActive:
		return false, "tenant suspended"
	case !k.UserActive:
		return false, "user suspended"
	}
	return true, ""
}

// LookupKey finds the key stored under hash. It returns ErrNotFound for an
// unknown key; revoked and expired keys are returned, for Usable to judge.
func (s *Store) LookupKey(ctx context.Context, hash apikey.Hash) (*KeyRecord, error) {
	const q = `
SELECT k.id::text, k.tenant_id::text, t.slug, coalesce(k.user_id::text, ''), k.name, k.key_prefix,
       k.allowed_models, coalesce(k.rpm_limit, 0), coalesce(k.tpm_limit, 0), coalesce(k.max_concurrency, 0),
       k.expires_at, k.revoked_at, t.status = 'active', coalesce(u.status = 'active', true)
FROM api_keys k
JOIN tenants t ON t.id = k.tenant_id
LEFT JOIN users u ON u.id = k.user_id AND u.tenant_id = k.tenant_id
WHERE k.key_hash = $1`
	var r KeyRecord
	var expires, revoked *time.Time
	err := s.pool.QueryRow(ctx, q, hash[:]).Scan(&r.ID, &r.TenantID, &r.TenantSlug, &r.UserID, &r.Name, &r.Prefix,
		&r.AllowedModels, &r.RPMLimit, &r.TPMLimit, &r.MaxConcurrent, &expires, &revoked, &r.TenantActive, &r.UserActive)
	if err != nil {
		return nil, notFound(err)
	}
	if expires != nil {
		r.ExpiresAt = *expires
	}
	if revoked != nil {
		r.RevokedAt = *revoked
	}
	return &r, nil
}

// NewKey describes a key to create.
type NewKey struct {
	TenantID      string
	UserID        string // optional
	Name          string
	AllowedModels []string
	ExpiresAt     time.Time // zero: never
}

// CreateKey generates a key, stores its hash and returns the key itself, which
// is never retrievable again, with its record.
func (s *Store) CreateKey(ctx context.Context, nk NewKey) (string, *KeyRecord, error) {
	key, err := apikey.Generate()
	if err != nil {
		return "", nil, err
	}
	h := apikey.Sum(key)
	var expires *time.Time
	if !nk.ExpiresAt.IsZero() {
		expires = &nk.ExpiresAt
	}
	allowed := nk.AllowedModels
	if allowed == nil {
		allowed = []string{}
	}
	const q = `
INSERT INTO api_keys (tenant_id, user_id, name, key_hash, key_prefix, allowed_models, expires_at)
VALUES ($1, nullif($2, '')::uuid, $3, $4, $5, $6, $7)`
	if _, err := s.pool.Exec(ctx, q, nk.TenantID, nk.UserID, nk.Name, h[:], apikey.Display(key), allowed, expires); err != nil {
		return "", nil, fmt.Errorf("creating API key: %w", err)
	}
	rec, err := s.LookupKey(ctx, h)
	if err != nil {
		return "", nil, fmt.Errorf("reading back API key: %w", err)
	}
	return key, rec, nil
}

// RevokeKey marks the tenant's key revoked; revoking twice keeps the first time.
func (s *Store) RevokeKey(ctx context.Context, tenantID, keyID string) error {
	tag, err := s.pool.Exec(ctx,
		`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE tenant_id = $1 AND id = $2`,
		tenantID, keyID)
	if err != nil {
		return fmt.Errorf("revoking API key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
