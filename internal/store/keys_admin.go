package store

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
)

// KeyInfo is an API key as administrators see it: never the key, only its
// display prefix.
type KeyInfo struct {
	ID, TenantSlug, UserID, Name, Prefix string
	AllowedModels                        []string
	RPM, TPM, Concurrency                int
	BudgetUSD                            string // "" when none
	CreatedAt, ExpiresAt, RevokedAt      time.Time
}

const keyInfoSQL = `
SELECT k.id::text, t.slug, coalesce(k.user_id::text, ''), k.name, k.key_prefix, k.allowed_models,
       coalesce(k.rpm_limit, 0), coalesce(k.tpm_limit, 0), coalesce(k.max_concurrency, 0),
       coalesce(k.monthly_budget_usd::text, ''), k.created_at, k.expires_at, k.revoked_at
FROM api_keys k JOIN tenants t ON t.id = k.tenant_id`

func scanKeyInfo(row pgx.Row) (*KeyInfo, error) {
	var k KeyInfo
	var expires, revoked *time.Time
	if err := row.Scan(&k.ID, &k.TenantSlug, &k.UserID, &k.Name, &k.Prefix, &k.AllowedModels, &k.RPM, &k.TPM,
		&k.Concurrency, &k.BudgetUSD, &k.CreatedAt, &expires, &revoked); err != nil {
		return nil, err
	}
	if expires != nil {
		k.ExpiresAt = *expires
	}
	if revoked != nil {
		k.RevokedAt = *revoked
	}
	return &k, nil
}

// ListKeys returns the keys of the tenant with slug tenantSlug, newest first;
// an empty slug lists every tenant's keys (operators only: the admin API
// always passes the caller's tenant).
func (s *Store) ListKeys(ctx context.Context, tenantSlug string) ([]KeyInfo, error) {
	rows, err := s.pool.Query(ctx, keyInfoSQL+` WHERE $1 = '' OR t.slug = $1 ORDER BY t.slug, k.created_at DESC`, tenantSlug)
	if err != nil {
		return nil, fmt.Errorf("listing API keys: %w", err)
	}
	defer rows.Close()
	var out []KeyInfo
	for rows.Next() {
		k, err := scanKeyInfo(rows)
		if err != nil {
			return nil, fmt.Errorf("listing API keys: %w", err)
		}
		out = append(out, *k)
	}
	return out, rows.Err()
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// RevokeKeyByRef revokes the key whose id or display prefix is ref, in any
// tenant (operators only). A prefix that matches several keys revokes none
// and returns ErrAmbiguous; revoking twice keeps the first time.
func (s *Store) RevokeKeyByRef(ctx context.Context, ref string) (*KeyInfo, error) {
	cond := `k.key_prefix = $1`
	if uuidPattern.MatchString(ref) {
		cond = `k.id = $1::uuid`
	}
	var out *KeyInfo
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT k.id::text, k.tenant_id::text FROM api_keys k WHERE `+cond+` FOR UPDATE`, ref)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ ID, TenantID string }])
		if err != nil {
			return err
		}
		switch len(ids) {
		case 0:
			return ErrNotFound
		case 1:
		default:
			return fmt.Errorf("key prefix %q %w; revoke by id", ref, ErrAmbiguous)
		}
		// The admin API's revocation runs the same statement.
		if err := RevokeKeyTx(ctx, tx, ids[0].TenantID, ids[0].ID, ""); err != nil {
			return err
		}
		out, err = scanKeyInfo(tx.QueryRow(ctx, keyInfoSQL+` WHERE k.id = $1`, ids[0].ID))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("revoking API key %q: %w", ref, err)
	}
	return out, nil
}
