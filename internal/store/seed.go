package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/session"
	"github.com/jackc/pgx/v5"
)

// seedLockID serialises concurrent seeders (two `make run`s on one database).
const seedLockID = 0x61696778

// Demo is what SeedDemo created; the key and password are shown once.
type Demo struct {
	TenantSlug    string
	AdminEmail    string
	AdminPassword string
	APIKey        string
}

// SeedDemo creates a demo tenant, an admin user and an API key when the
// database has no tenant yet. It returns nil when there was something to keep.
func (s *Store) SeedDemo(ctx context.Context) (*Demo, error) {
	password, err := randomPassword()
	if err != nil {
		return nil, err
	}
	hash, err := session.HashPassword(password)
	if err != nil {
		return nil, fmt.Errorf("hashing demo password: %w", err)
	}
	key, err := apikey.Generate()
	if err != nil {
		return nil, err
	}
	d := &Demo{TenantSlug: "demo", AdminEmail: "admin@demo.local", AdminPassword: password, APIKey: key}
	seeded := false
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, seedLockID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM tenants`).Scan(&n); err != nil || n > 0 {
			return err
		}
		var tenantID, userID string
		if err := tx.QueryRow(ctx, `INSERT INTO tenants (slug, name) VALUES ($1, 'Demo Bank') RETURNING id::text`,
			d.TenantSlug).Scan(&tenantID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `
INSERT INTO users (tenant_id, email, display_name, role, password_hash)
VALUES ($1, $2, 'Demo Admin', 'admin', $3) RETURNING id::text`, tenantID, d.AdminEmail, hash).Scan(&userID); err != nil {
			return err
		}
		h := apikey.Sum(key)
		if _, err := tx.Exec(ctx, `
INSERT INTO api_keys (tenant_id, user_id, name, key_hash, key_prefix, created_by)
VALUES ($1, $2, 'demo key', $3, $4, $2)`, tenantID, userID, h[:], apikey.Display(key)); err != nil {
			return err
		}
		seeded = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seeding demo tenant: %w", err)
	}
	if !seeded {
		return nil, nil
	}
	return d, nil
}

func randomPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
