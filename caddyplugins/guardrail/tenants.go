package guardrail

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/store"
)

// loadTenants replaces the tenant policy table with what the database holds.
// A tenant whose policy does not build keeps the route's policy, and the error
// is logged; a database error keeps the previous table.
func (h *Handler) loadTenants(ctx context.Context, s *store.Store) {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rows, err := s.ActivePolicies(qctx)
	if err != nil {
		if ctx.Err() == nil {
			h.logger.Warn("loading tenant guardrail policies; keeping the previous ones", zap.Error(err))
		}
		return
	}
	next := make(map[string]tenantRule, len(rows))
	for _, row := range rows {
		rule, err := h.buildTenant(row)
		if err != nil {
			h.logger.Error("tenant guardrail policy does not build; the route's policy applies",
				zap.String("tenant_id", row.TenantID), zap.String("policy", row.Name), zap.Error(err))
			continue
		}
		next[row.TenantID] = rule
	}
	h.tenants.Store(&next)
}

func (h *Handler) buildTenant(row store.TenantPolicy) (tenantRule, error) {
	var detectors map[string]any
	if len(row.Rules) > 0 {
		if err := json.Unmarshal(row.Rules, &detectors); err != nil {
			return tenantRule{}, fmt.Errorf("rules: %w", err)
		}
	}
	doc, err := json.Marshal(map[string]any{"extends": row.Template, "shadow": row.Shadow, "detectors": detectors})
	if err != nil {
		return tenantRule{}, err
	}
	p, err := guard.ParsePolicy(row.Name, doc, h.templates)
	if err != nil {
		return tenantRule{}, err
	}
	engine := h.engine
	if len(row.Terms) > 0 {
		if engine, err = h.engine.WithTerms(row.Terms); err != nil {
			return tenantRule{}, fmt.Errorf("terms: %w", err)
		}
	}
	return tenantRule{policy: h.shadowed(p), engine: engine}, nil
}
