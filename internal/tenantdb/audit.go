package tenantdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
)

// AuditRow is a stored audit event of the tenant's chain.
type AuditRow struct {
	ID, Seq                                     int64
	OccurredAt                                  time.Time
	ActorType, ActorID, Action                  string
	ResourceType, ResourceID, Outcome, Severity string
	ClientIP, RequestID                         string
	// Details are the sanitized details as stored (a JSON object).
	Details json.RawMessage
}

// AuditFilter selects audit events. Empty fields select everything.
type AuditFilter struct {
	// Action is an action such as auth.login, or a prefix ending in ".*"
	// such as security.*.
	Action string
	// ActorID is the acting user's, key's or component's id.
	ActorID string
	// ResourceType and ResourceID name what the events touched.
	ResourceType, ResourceID string
	// Outcome is success, failure or denied.
	Outcome string
	// From and To bound the time (To exclusive); both are required.
	From, To time.Time
	// Security keeps only security events: severity warning or critical
	// (failed sign-ins, refused key bursts, permission denials, guardrail
	// blocks, abuse of limits).
	Security bool
}

const auditColumns = `id, seq, occurred_at, actor_type, actor_id, action, resource_type, resource_id,
outcome, severity, client_ip, request_id, details::text`

// where returns the filter's conditions and arguments after the tenant
// ($1).
func (f AuditFilter) where() (string, []any) {
	conds := []string{"tenant_id = $1", "occurred_at >= $2", "occurred_at < $3"}
	args := []any{f.From, f.To}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)+1))
	}
	if prefix, ok := strings.CutSuffix(f.Action, ".*"); ok {
		add("starts_with(action, $%d)", prefix+".")
	} else if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.ActorID != "" {
		add("actor_id = $%d", f.ActorID)
	}
	if f.ResourceType != "" {
		add("resource_type = $%d", f.ResourceType)
	}
	if f.ResourceID != "" {
		add("resource_id = $%d", f.ResourceID)
	}
	if f.Outcome != "" {
		add("outcome = $%d", f.Outcome)
	}
	if f.Security {
		conds = append(conds, "severity <> 'info'")
	}
	return strings.Join(conds, " AND "), args
}

func scanAudit(row pgx.Row) (AuditRow, error) {
	var r AuditRow
	var details string
	err := row.Scan(&r.ID, &r.Seq, &r.OccurredAt, &r.ActorType, &r.ActorID, &r.Action, &r.ResourceType, &r.ResourceID,
		&r.Outcome, &r.Severity, &r.ClientIP, &r.RequestID, &details)
	r.Details = json.RawMessage(details)
	return r, err
}

// AuditLogs returns a page of the tenant's audit events matching f, newest
// first, with the total.
func (d *DB) AuditLogs(ctx context.Context, f AuditFilter, p Page) ([]AuditRow, int, error) {
	where, args := f.where()
	args = append([]any{d.tenantID}, args...)
	var total int
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM audit_logs WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting audit events: %w", err)
	}
	n := len(args)
	rows, err := d.pool.Query(ctx, fmt.Sprintf(`SELECT %s FROM audit_logs WHERE %s ORDER BY occurred_at DESC, id DESC LIMIT $%d OFFSET $%d`,
		auditColumns, where, n+1, n+2), append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing audit events: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditRow, error) { return scanAudit(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("listing audit events: %w", err)
	}
	return out, total, nil
}

// AuditCount is how many events of one action happened on one day (UTC).
type AuditCount struct {
	Day    time.Time
	Action string
	Count  int64
}

// AuditSummary counts the tenant's audit events by day (UTC) and action.
func (d *DB) AuditSummary(ctx context.Context, from, to time.Time) ([]AuditCount, error) {
	rows, err := d.pool.Query(ctx, `SELECT date_trunc('day', occurred_at, 'UTC'), action, count(*)
FROM audit_logs WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3
GROUP BY 1, 2 ORDER BY 1, 2`, d.tenantID, from, to)
	if err != nil {
		return nil, fmt.Errorf("summing audit events: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[AuditCount])
	if err != nil {
		return nil, fmt.Errorf("summing audit events: %w", err)
	}
	return out, nil
}

// ExportAudit calls fn with each of the tenant's audit events from from to
// to, in chain order, reading them from the database as fn consumes them.
func (d *DB) ExportAudit(ctx context.Context, from, to time.Time, fn func(AuditRow) error) error {
	rows, err := d.pool.Query(ctx, `SELECT `+auditColumns+` FROM audit_logs
WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3 ORDER BY seq`, d.tenantID, from, to)
	if err != nil {
		return fmt.Errorf("exporting audit events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return fmt.Errorf("exporting audit events: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// VerifyAudit checks the tenant's hash chain (audit.Store.Verify).
func (d *DB) VerifyAudit(ctx context.Context) (*audit.Report, error) {
	if !store.ValidUUID(d.tenantID) {
		return nil, store.ErrNotFound
	}
	return d.audit.Verify(ctx, audit.VerifyOptions{Tenant: d.tenantID})
}
