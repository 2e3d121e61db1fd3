package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Export groupings.
const (
	GroupByRequest = "request"
	GroupByDay     = "day"
	GroupByUser    = "user"
	GroupByModel   = "model"
)

// isoUTC formats a timestamptz as ISO 8601 in UTC with microseconds.
const isoUTC = `to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

var exportTotals = `count(*)::text, coalesce(sum(u.prompt_tokens), 0)::text, coalesce(sum(u.cached_tokens), 0)::text,
    coalesce(sum(u.completion_tokens), 0)::text, coalesce(sum(u.cost_usd), 0)::text`

var totalsHeader = []string{"requests", "prompt_tokens", "cached_tokens", "completion_tokens", "cost_usd"}

const exportScope = `u.tenant_id = $1 AND u.created_at >= $2 AND u.created_at < $3`

// exports are the queries of each grouping and their header rows. Every
// column is text: numbers as PostgreSQL prints NUMERIC and integers (plain
// decimals), times as ISO 8601 UTC.
var exports = map[string]struct {
	header []string
	sql    string
}{
	GroupByRequest: {
		header: []string{"request_id", "created_at", "user_id", "user_email", "user_name", "api_key_id", "api_key_name",
			"endpoint", "model", "provider", "status", "prompt_tokens", "cached_tokens", "completion_tokens", "cost_usd"},
		sql: `SELECT u.request_id, ` + fmt.Sprintf(isoUTC, "u.created_at") + `, coalesce(u.user_id::text, ''), coalesce(us.email, ''),
    coalesce(us.display_name, ''), coalesce(u.api_key_id::text, ''), coalesce(k.name, ''), u.endpoint, u.model, u.provider,
    u.status::text, u.prompt_tokens::text, u.cached_tokens::text, u.completion_tokens::text, u.cost_usd::text
FROM usage_logs u
-- One lookup by primary key per row (OFFSET 0 keeps the planner from
-- turning it into a join that it may misjudge).
LEFT JOIN LATERAL (SELECT email, display_name FROM users WHERE id = u.user_id AND tenant_id = $1 OFFSET 0) us ON true
LEFT JOIN LATERAL (SELECT name FROM api_keys WHERE id = u.api_key_id AND tenant_id = $1 OFFSET 0) k ON true
WHERE ` + exportScope + ` ORDER BY u.created_at, u.request_id`,
	},
	GroupByDay: {
		header: append([]string{"day"}, totalsHeader...),
		sql: `SELECT to_char(date_trunc('day', u.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS d, ` + exportTotals + `
FROM usage_logs u WHERE ` + exportScope + ` GROUP BY d ORDER BY d`,
	},
	GroupByUser: {
		header: append([]string{"user_id", "user_email", "user_name"}, totalsHeader...),
		sql: `SELECT coalesce(g.user_id::text, ''), coalesce(us.email, ''), coalesce(us.display_name, ''), g.requests, g.p, g.c, g.o, g.cost
FROM (SELECT u.user_id, ` + exportTotals + ` FROM usage_logs u WHERE ` + exportScope + ` GROUP BY u.user_id) g (user_id, requests, p, c, o, cost)
LEFT JOIN users us ON us.id = g.user_id AND us.tenant_id = $1
ORDER BY us.email NULLS LAST, g.user_id NULLS LAST`,
	},
	GroupByModel: {
		header: append([]string{"model", "provider"}, totalsHeader...),
		sql: `SELECT u.model, u.provider, ` + exportTotals + `
FROM usage_logs u WHERE ` + exportScope + ` GROUP BY u.model, u.provider ORDER BY u.model, u.provider`,
	},
}

// ExportHeader returns the header row of grouping groupBy, or nil when
// there is no such grouping.
func ExportHeader(groupBy string) []string {
	e, ok := exports[groupBy]
	if !ok {
		return nil
	}
	return append([]string(nil), e.header...)
}

// exportBatch is how many rows each FETCH brings: memory stays bounded by
// it, whatever the period.
const exportBatch = 1000

// ExportUsage streams the scope's usage grouped by groupBy to row, one
// record at a time, from a server-side cursor in a read-only snapshot, so
// a year of rows never sits in memory. row's slice is reused between calls.
func ExportUsage(ctx context.Context, st *Store, s UsageScope, groupBy string, row func([]string) error) error {
	e, ok := exports[groupBy]
	if !ok {
		return fmt.Errorf("export: unknown grouping %q", groupBy)
	}
	tx, err := st.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only: nothing to keep
	if _, err := tx.Exec(ctx, `DECLARE billing_export NO SCROLL CURSOR FOR `+e.sql, s.TenantID, s.From, s.To); err != nil {
		return fmt.Errorf("export: opening cursor: %w", err)
	}
	rec := make([]string, len(e.header))
	dest := make([]any, len(rec))
	for i := range rec {
		dest[i] = &rec[i]
	}
	for {
		n, err := fetchBatch(ctx, tx, dest, func() error { return row(rec) })
		if err != nil {
			return err
		}
		if n < exportBatch {
			return nil
		}
	}
}

func fetchBatch(ctx context.Context, tx pgx.Tx, dest []any, each func() error) (int, error) {
	// The simple protocol: one FETCH text serves cursors of different
	// shapes, which a cached prepared statement would not.
	rows, err := tx.Query(ctx, fmt.Sprintf("FETCH %d FROM billing_export", exportBatch), pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return 0, fmt.Errorf("export: fetching: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, fmt.Errorf("export: reading: %w", err)
		}
		if err := each(); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("export: fetching: %w", err)
	}
	return n, nil
}
