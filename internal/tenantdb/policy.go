package tenantdb

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
)

// PolicyName is the name the admin API stores a tenant's policy under.
const PolicyName = "tenant-policy"

// Policy is the tenant's active guardrail policy with its bookkeeping.
type Policy struct {
	store.TenantPolicy
	UpdatedAt time.Time
	UpdatedBy string
}

// ActivePolicy returns the tenant's active guardrail policy, or
// store.ErrNotFound when the tenant has none (the gateway's route policy
// applies).
func (d *DB) ActivePolicy(ctx context.Context) (*Policy, error) {
	var p Policy
	err := d.pool.QueryRow(ctx, `SELECT tenant_id::text, name, template, rules, terms, shadow, version, updated_at, coalesce(created_by::text, '')
FROM policies WHERE tenant_id = $1 AND is_active`, d.tenantID).Scan(&p.TenantID, &p.Name, &p.Template, &p.Rules, &p.Terms,
		&p.Shadow, &p.Version, &p.UpdatedAt, &p.UpdatedBy)
	if err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// SetPolicy makes p the tenant's active guardrail policy
// (guardrails.policy.update), the caller having validated it as the gateway
// will build it. Every gateway applies it within its refresh interval.
func (d *DB) SetPolicy(ctx context.Context, p store.TenantPolicy) (*Policy, error) {
	p.TenantID, p.Name = d.tenantID, PolicyName
	ev := audit.Event{Action: "guardrails.policy.update", ResourceType: "policy",
		Details: map[string]any{"template": p.Template, "shadow": p.Shadow, "terms": int64(len(p.Terms)),
			"overrides": string(p.Rules)}}
	out := Policy{TenantPolicy: p, UpdatedBy: d.actor.UserID}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		if err := store.SetActivePolicyTx(ctx, tx, p); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE policies SET created_by = nullif($3, '')::uuid
WHERE tenant_id = $1 AND name = $2`, d.tenantID, p.Name, d.actor.UserID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT id::text, version, updated_at FROM policies WHERE tenant_id = $1 AND name = $2`,
			d.tenantID, p.Name).Scan(&ev.ResourceID, &out.Version, &out.UpdatedAt)
		ev.Details["version"] = int64(out.Version)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ActiveKeyModels returns the allowed-model globs of each of the tenant's
// usable keys (the owner's, for an owner-bound DB): an empty list allows
// every model.
func (d *DB) ActiveKeyModels(ctx context.Context, now time.Time) ([][]string, error) {
	rows, err := d.pool.Query(ctx, `SELECT allowed_models FROM api_keys
WHERE tenant_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
  AND ($3 = '' OR user_id = nullif($3, '')::uuid)`, d.tenantID, now, d.ownerID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[[]string])
}
