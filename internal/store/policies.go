package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// TenantPolicy is a tenant's active guardrail policy override.
type TenantPolicy struct {
	TenantID string
	Name     string
	// Template is the guardrails.yaml template the policy extends.
	Template string
	// Rules are per-detector overrides in the policy file's detector shape.
	Rules json.RawMessage
	// Terms are the tenant's confidential terms (code names, client names).
	Terms   []string
	Shadow  bool
	Version int
}

// ActivePolicies returns every tenant's active guardrail policy. The gateway
// loads them all in the background, so its request path never queries.
func (s *Store) ActivePolicies(ctx context.Context) ([]TenantPolicy, error) {
	rows, err := s.pool.Query(ctx, `
SELECT tenant_id::text, name, template, rules, terms, shadow, version
FROM policies WHERE is_active ORDER BY tenant_id`)
	if err != nil {
		return nil, fmt.Errorf("listing active policies: %w", err)
	}
	defer rows.Close()
	var out []TenantPolicy
	for rows.Next() {
		var p TenantPolicy
		if err := rows.Scan(&p.TenantID, &p.Name, &p.Template, &p.Rules, &p.Terms, &p.Shadow, &p.Version); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetActivePolicy creates or replaces the tenant's active policy.
func (s *Store) SetActivePolicy(ctx context.Context, p TenantPolicy) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return SetActivePolicyTx(ctx, tx, p) })
	if err != nil {
		return fmt.Errorf("setting tenant policy: %w", err)
	}
	return nil
}

// SetActivePolicyTx is SetActivePolicy inside tx (the admin API's, which
// also records the change).
func SetActivePolicyTx(ctx context.Context, tx pgx.Tx, p TenantPolicy) error {
	if len(p.Rules) == 0 {
		p.Rules = json.RawMessage("{}")
	}
	if p.Terms == nil {
		p.Terms = []string{}
	}
	if _, err := tx.Exec(ctx, `UPDATE policies SET is_active = false, updated_at = now()
WHERE tenant_id = $1 AND is_active AND name <> $2`, p.TenantID, p.Name); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `
INSERT INTO policies (tenant_id, name, template, rules, terms, shadow, is_active)
VALUES ($1, $2, $3, $4, $5, $6, true)
ON CONFLICT (tenant_id, name) DO UPDATE SET template = EXCLUDED.template, rules = EXCLUDED.rules,
    terms = EXCLUDED.terms, shadow = EXCLUDED.shadow, is_active = true,
    version = policies.version + 1, updated_at = now()`,
		p.TenantID, p.Name, p.Template, p.Rules, p.Terms, p.Shadow)
	return err
}

// Doc returns the policy document the gateway builds the tenant's policy
// from (guard.ParsePolicy): the template as extends, the overrides as
// detectors, and shadow.
func (p TenantPolicy) Doc() ([]byte, error) {
	var detectors map[string]any
	if len(p.Rules) > 0 {
		if err := json.Unmarshal(p.Rules, &detectors); err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
	}
	return json.Marshal(map[string]any{"extends": p.Template, "shadow": p.Shadow, "detectors": detectors})
}
