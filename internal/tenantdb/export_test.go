package tenantdb

import (
	"context"
	"time"
)

// DashboardWith is UsageDashboard, from the rollups or from usage_logs alone.
func DashboardWith(ctx context.Context, d *DB, from, to time.Time, granularity string, rollups bool) (*Dashboard, error) {
	return d.usageDashboard(ctx, from, to, granularity, rollups)
}
