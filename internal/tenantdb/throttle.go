package tenantdb

import (
	"context"
	"fmt"
	"time"
)

// LoginFailures counts the failed sign-ins recorded for each scope since since.
func (a *Accounts) LoginFailures(ctx context.Context, scopes []string, since time.Time) (map[string]int, error) {
	rows, err := a.pool.Query(ctx, `SELECT scope, count(*) FROM login_failures
WHERE scope = ANY($1) AND failed_at > $2 GROUP BY scope`, scopes, since)
	if err != nil {
		return nil, fmt.Errorf("counting failed sign-ins: %w", err)
	}
	defer rows.Close()
	out := make(map[string]int, len(scopes))
	for rows.Next() {
		var scope string
		var n int
		if err := rows.Scan(&scope, &n); err != nil {
			return nil, fmt.Errorf("counting failed sign-ins: %w", err)
		}
		out[scope] = n
	}
	return out, rows.Err()
}

// RecordLoginFailure records a failed sign-in at at in each scope, and
// forgets the scopes' failures older than keep.
func (a *Accounts) RecordLoginFailure(ctx context.Context, scopes []string, at time.Time, keep time.Duration) error {
	_, err := a.pool.Exec(ctx, `
WITH gone AS (DELETE FROM login_failures WHERE scope = ANY($1) AND failed_at < $3)
INSERT INTO login_failures (scope, failed_at) SELECT unnest($1::text[]), $2`, scopes, at, at.Add(-keep))
	if err != nil {
		return fmt.Errorf("recording a failed sign-in: %w", err)
	}
	return nil
}

// ClearLoginFailures forgets a scope's failed sign-ins (after a successful one).
func (a *Accounts) ClearLoginFailures(ctx context.Context, scope string) error {
	if _, err := a.pool.Exec(ctx, `DELETE FROM login_failures WHERE scope = $1`, scope); err != nil {
		return fmt.Errorf("clearing failed sign-ins: %w", err)
	}
	return nil
}
