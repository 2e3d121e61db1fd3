package tenantdb

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
)

// Key statuses, as KeyInfo.Status reports them.
const (
	KeyActive  = "active"
	KeyRevoked = "revoked"
	KeyExpired = "expired"
)

// KeyInfo is an API key as administrators see it: never the key, only its
// display prefix, with what it spent this month and when it was last used.
type KeyInfo struct {
	ID, UserID, Name, Prefix string
	AllowedModels            []string
	RPM, TPM, Concurrency    int
	// BudgetUSD is the monthly budget ("" for none); SpentUSD what the key
	// spent since the start of the month (UTC), both in US dollars.
	BudgetUSD, SpentUSD string
	CreatedBy           string
	// Status is active, revoked or expired.
	Status                                      string
	CreatedAt, ExpiresAt, RevokedAt, LastUsedAt time.Time
}

// keyColumns reads a key and, from usage_logs (by its (api_key_id,
// created_at) index), its spend since $month and its last use.
const keyColumns = `k.id::text, coalesce(k.user_id::text, ''), k.name, k.key_prefix, k.allowed_models,
coalesce(k.rpm_limit, 0), coalesce(k.tpm_limit, 0), coalesce(k.max_concurrency, 0),
coalesce(k.monthly_budget_usd::text, ''),
(SELECT coalesce(sum(l.cost_usd), 0)::numeric(20,6)::text FROM usage_logs l WHERE l.api_key_id = k.id AND l.created_at >= $2),
coalesce(k.created_by::text, ''), k.created_at, coalesce(k.expires_at, 'epoch'), coalesce(k.revoked_at, 'epoch'),
coalesce(k.last_used_at, (SELECT max(l.created_at) FROM usage_logs l WHERE l.api_key_id = k.id), 'epoch')`

func scanKey(row pgx.Row, now time.Time) (*KeyInfo, error) {
	var k KeyInfo
	if err := row.Scan(&k.ID, &k.UserID, &k.Name, &k.Prefix, &k.AllowedModels, &k.RPM, &k.TPM, &k.Concurrency,
		&k.BudgetUSD, &k.SpentUSD, &k.CreatedBy, &k.CreatedAt, &k.ExpiresAt, &k.RevokedAt, &k.LastUsedAt); err != nil {
		return nil, notFound(err)
	}
	for _, t := range []*time.Time{&k.ExpiresAt, &k.RevokedAt, &k.LastUsedAt} {
		if t.Unix() == 0 {
			*t = time.Time{}
		}
	}
	switch {
	case !k.RevokedAt.IsZero():
		k.Status = KeyRevoked
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		k.Status = KeyExpired
	default:
		k.Status = KeyActive
	}
	return &k, nil
}

// monthStart is the start of now's month in UTC, when monthly spend resets.
func monthStart(now time.Time) time.Time {
	now = now.UTC()
	return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// ListKeys returns a page of the tenant's keys (the owner's only, for an
// owner-bound DB), newest first, with the total.
func (d *DB) ListKeys(ctx context.Context, p Page, now time.Time) ([]KeyInfo, int, error) {
	var total int
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM api_keys k
WHERE k.tenant_id = $1 AND ($2 = '' OR k.user_id = nullif($2, '')::uuid)`, d.tenantID, d.ownerID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting API keys: %w", err)
	}
	rows, err := d.pool.Query(ctx, `SELECT `+keyColumns+` FROM api_keys k
WHERE k.tenant_id = $1 AND ($3 = '' OR k.user_id = nullif($3, '')::uuid)
ORDER BY k.created_at DESC, k.id LIMIT $4 OFFSET $5`, d.tenantID, monthStart(now), d.ownerID, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("listing API keys: %w", err)
	}
	defer rows.Close()
	out := []KeyInfo{}
	for rows.Next() {
		k, err := scanKey(rows, now)
		if err != nil {
			return nil, 0, fmt.Errorf("listing API keys: %w", err)
		}
		out = append(out, *k)
	}
	return out, total, rows.Err()
}

// GetKey returns the tenant's key id (the owner's, for an owner-bound DB).
func (d *DB) GetKey(ctx context.Context, id string, now time.Time) (*KeyInfo, error) {
	return d.getKey(ctx, d.pool, id, now)
}

func (d *DB) getKey(ctx context.Context, q store.Querier, id string, now time.Time) (*KeyInfo, error) {
	if !store.ValidUUID(id) {
		return nil, store.ErrNotFound
	}
	return scanKey(q.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys k
WHERE k.tenant_id = $1 AND k.id = $3 AND ($4 = '' OR k.user_id = nullif($4, '')::uuid)`,
		d.tenantID, monthStart(now), id, d.ownerID), now)
}

// CreateKey creates a key of the tenant (api_key.create) by the code the
// CLI uses, store.CreateKeyTx, and returns the key, shown this once. For an
// owner-bound DB the key is the owner's, whatever nk says. A user of
// another tenant (or, owner-bound, another user) is not found.
func (d *DB) CreateKey(ctx context.Context, nk store.NewKey, now time.Time) (string, *KeyInfo, error) {
	nk.TenantID, nk.CreatedBy = d.tenantID, d.actor.UserID
	if d.ownerID != "" {
		if nk.UserID != "" && nk.UserID != d.ownerID {
			return "", nil, store.ErrNotFound
		}
		nk.UserID = d.ownerID
	}
	if err := nk.Validate(); err != nil {
		return "", nil, err
	}
	var key string
	var out *KeyInfo
	ev := audit.Event{Action: "api_key.create", ResourceType: "api_key"}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		if nk.UserID != "" {
			if _, err := d.getUser(ctx, tx, nk.UserID, false); err != nil {
				return err
			}
		}
		k, rec, err := store.CreateKeyTx(ctx, tx, nk)
		if err != nil {
			return err
		}
		key = k
		if out, err = d.getKey(ctx, tx, rec.ID, now); err != nil {
			return err
		}
		ev.ResourceID = rec.ID
		ev.Details = map[string]any{"prefix": rec.Prefix, "user_id": nk.UserID, "models": nk.AllowedModels,
			"rpm": nk.RPM, "tpm": nk.TPM, "concurrency": nk.Concurrency, "budget_usd": nk.BudgetUSD,
			"expires": !nk.ExpiresAt.IsZero()}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return key, out, nil
}

// RevokeKey revokes the tenant's key id (api_key.revoke) by the statement
// the CLI's revocation runs; every gateway drops the key within a second
// (the api_keys trigger notifies them). Revoking twice keeps the first time.
func (d *DB) RevokeKey(ctx context.Context, id string, now time.Time) (*KeyInfo, error) {
	if !store.ValidUUID(id) {
		return nil, store.ErrNotFound
	}
	var out *KeyInfo
	ev := audit.Event{Action: "api_key.revoke", ResourceType: "api_key", ResourceID: id}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		if err := store.RevokeKeyTx(ctx, tx, d.tenantID, id, d.ownerID); err != nil {
			return err
		}
		var err error
		if out, err = d.getKey(ctx, tx, id, now); err != nil {
			return err
		}
		ev.Details = map[string]any{"prefix": out.Prefix, "user_id": out.UserID}
		return nil
	})
	return out, err
}
