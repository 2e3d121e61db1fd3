package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aigw/aigw/internal/money"
)

// spendColumns maps a budget scope to its usage_logs column.
var spendColumns = map[string]string{"key": "api_key_id", "user": "user_id", "tenant": "tenant_id"}

// MonthSpend returns what usage_logs records as spent by one key, user or
// tenant (kind "key", "user" or "tenant", and its id) from from to to. The
// gateway reads it once per budget and month, to resume a budget after a
// restart.
func (s *Store) MonthSpend(ctx context.Context, kind, id string, from, to time.Time) (money.Pico, error) {
	col, ok := spendColumns[kind]
	if !ok {
		return 0, fmt.Errorf("month spend: unknown scope kind %q", kind)
	}
	var pico int64
	err := s.pool.QueryRow(ctx, `SELECT (least(coalesce(sum(cost_usd), 0), 9000000) * 1000000000000)::bigint
FROM usage_logs WHERE `+col+` = $1::uuid AND created_at >= $2 AND created_at < $3`, id, from, to).Scan(&pico)
	if err != nil {
		return 0, fmt.Errorf("summing the month's spend of %s %s: %w", kind, id, err)
	}
	return money.Pico(pico), nil
}
