package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/billing"
)

// PlanRow is a tenant's stored pricing plan.
type PlanRow struct {
	billing.Plan
	// Stored is false for a tenant that never set a plan (the default applies).
	Stored bool
	// UpdatedAt and UpdatedBy say when and by whom it was last set.
	UpdatedAt time.Time
	UpdatedBy string
}

// BillingPlan returns tenantID's plan, or the default plan when none is stored.
func BillingPlan(ctx context.Context, q Querier, tenantID string) (*PlanRow, error) {
	var cur, rate, fee string
	var adj []byte
	out := &PlanRow{Plan: billing.DefaultPlan()}
	err := q.QueryRow(ctx, `SELECT currency, usd_rate::text, seat_fee::text, adjustments, updated_at, coalesce(updated_by::text, '')
FROM billing_plans WHERE tenant_id = $1`, tenantID).Scan(&cur, &rate, &fee, &adj, &out.UpdatedAt, &out.UpdatedBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading billing plan: %w", err)
	}
	out.Stored, out.Currency, out.USDRate, out.SeatFee = true, cur, billing.MustDec(rate), billing.MustDec(fee)
	if err := json.Unmarshal(adj, &out.Adjustments); err != nil {
		return nil, fmt.Errorf("reading billing plan adjustments: %w", err)
	}
	return out, nil
}

// PutBillingPlan stores tenantID's plan, set by user userID.
func PutBillingPlan(ctx context.Context, q Querier, tenantID, userID string, p billing.Plan) error {
	adj, err := json.Marshal(p.Adjustments)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO billing_plans (tenant_id, currency, usd_rate, seat_fee, adjustments, updated_by, updated_at)
VALUES ($1, $2, $3::numeric, $4::numeric, $5, nullif($6, '')::uuid, now())
ON CONFLICT (tenant_id) DO UPDATE SET currency = EXCLUDED.currency, usd_rate = EXCLUDED.usd_rate,
    seat_fee = EXCLUDED.seat_fee, adjustments = EXCLUDED.adjustments, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		tenantID, p.Currency, p.USDRate.String(), p.SeatFee.String(), adj, userID)
	if err != nil {
		return fmt.Errorf("storing billing plan: %w", err)
	}
	return nil
}

// ModelRate is a model's catalog prices per token, in picodollars: the
// rates a usage row's recorded cost is checked against.
type ModelRate struct {
	Model                 string
	Input, Cached, Output int64
}

// UsageScope selects usage rows: a tenant's, in [From, To), of one user
// when UserID is set.
type UsageScope struct {
	TenantID, UserID string
	From, To         time.Time
}

func (s UsageScope) userArg() any {
	if s.UserID == "" {
		return nil
	}
	return s.UserID
}

// usageTotalsSQL sums the scope's usage per model and provider, and says
// whether the catalog's rates reproduce the group's recorded cost exactly
// (as the meter computes a cost: cached tokens at the cached rate when the
// model has one). It is one cheap pass; only when a group's sum does not
// match is each row checked (usageRowsSQL).
const usageTotalsSQL = `
WITH r (model, rin, rcached, rout) AS (SELECT * FROM unnest($4::text[], $5::bigint[], $6::bigint[], $7::bigint[])),
g AS (
    SELECT u.model, u.provider, count(*) AS n, sum(u.prompt_tokens) AS p, sum(u.completion_tokens) AS o,
           sum(least(u.cached_tokens, u.prompt_tokens)) AS c, sum(u.cost_usd) AS cost
    FROM usage_logs u
    WHERE u.tenant_id = $1 AND u.created_at >= $2 AND u.created_at < $3 AND ($8::uuid IS NULL OR u.user_id = $8::uuid)
    GROUP BY u.model, u.provider
)
SELECT g.model, g.provider, g.n, coalesce(g.p, 0), coalesce(g.o, 0),
       CASE WHEN coalesce(r.rcached, 0) = 0 THEN 0 ELSE coalesce(g.c, 0) END,
       coalesce(r.rin, 0), coalesce(r.rcached, 0), coalesce(r.rout, 0), g.cost::text,
       r.model IS NOT NULL AND g.cost * 1000000000000 = ((g.p - CASE WHEN coalesce(r.rcached, 0) = 0 THEN 0 ELSE g.c END)::numeric * r.rin
           + (CASE WHEN coalesce(r.rcached, 0) = 0 THEN 0 ELSE g.c END)::numeric * r.rcached + g.o::numeric * r.rout)
FROM g LEFT JOIN r ON r.model = g.model ORDER BY g.model, g.provider`

// usageRowsSQL splits each row's recorded cost by the model's catalog
// rates only when they reproduce that row's cost to the picodollar.
const usageRowsSQL = `
WITH r (model, rin, rcached, rout) AS (SELECT * FROM unnest($4::text[], $5::bigint[], $6::bigint[], $7::bigint[])),
x AS (
    SELECT u.model, u.provider, u.prompt_tokens::bigint AS p, u.completion_tokens::bigint AS o, u.cost_usd,
           CASE WHEN coalesce(r.rcached, 0) = 0 THEN 0 ELSE least(u.cached_tokens, u.prompt_tokens) END::bigint AS ce,
           r.rin, r.rcached, r.rout
    FROM usage_logs u LEFT JOIN r ON r.model = u.model
    WHERE u.tenant_id = $1 AND u.created_at >= $2 AND u.created_at < $3 AND ($8::uuid IS NULL OR u.user_id = $8::uuid)
), k AS (
    SELECT x.*, coalesce(cost_usd * 1000000000000 = ((p - ce) * rin + ce * rcached + o * rout)::numeric, false) AS priced FROM x
)
SELECT model, provider, count(*),
       coalesce(sum(p - ce) FILTER (WHERE priced), 0)::bigint, coalesce(sum(ce) FILTER (WHERE priced), 0)::bigint,
       coalesce(sum(o) FILTER (WHERE priced), 0)::bigint,
       coalesce(max(rin), 0), coalesce(max(rcached), 0), coalesce(max(rout), 0),
       count(*) FILTER (WHERE NOT priced), coalesce(sum(p) FILTER (WHERE NOT priced), 0)::bigint,
       coalesce(sum(o) FILTER (WHERE NOT priced), 0)::bigint,
       coalesce(sum(cost_usd) FILTER (WHERE NOT priced), 0)::text, sum(cost_usd)::text
FROM k GROUP BY model, provider ORDER BY model, provider`

// UsageByModel returns the scope's usage per model and provider, each row's
// recorded cost split into input, cached input and output where rates
// reproduce it (see billing.ModelUsage). When every group's summed cost is
// exactly its summed tokens at the rates (the usual month: no price
// changed), the groups are split as a whole; otherwise every row is checked.
func UsageByModel(ctx context.Context, q Querier, s UsageScope, rates []ModelRate) ([]billing.ModelUsage, error) {
	models := make([]string, len(rates))
	in, cached, out := make([]int64, len(rates)), make([]int64, len(rates)), make([]int64, len(rates))
	for i, r := range rates {
		models[i], in[i], cached[i], out[i] = r.Model, r.Input, r.Cached, r.Output
	}
	args := []any{s.TenantID, s.From, s.To, models, in, cached, out, s.userArg()}
	res, exact, err := usageTotals(ctx, q, args)
	if err != nil || exact {
		return res, err
	}
	return usageRows(ctx, q, args)
}

func usageTotals(ctx context.Context, q Querier, args []any) ([]billing.ModelUsage, bool, error) {
	rows, err := q.Query(ctx, usageTotalsSQL, args...)
	if err != nil {
		return nil, false, fmt.Errorf("reading usage by model: %w", err)
	}
	defer rows.Close()
	var res []billing.ModelUsage
	exact := true
	for rows.Next() {
		var u billing.ModelUsage
		var prompt, rin, rc, ro int64
		var total string
		var priced bool
		if err := rows.Scan(&u.Model, &u.Provider, &u.Requests, &prompt, &u.OutputTokens, &u.CachedTokens,
			&rin, &rc, &ro, &total, &priced); err != nil {
			return nil, false, fmt.Errorf("reading usage by model: %w", err)
		}
		u.Cost = billing.MustDec(total)
		if priced {
			u.InputTokens = prompt - u.CachedTokens
			u.InputRate, u.CachedRate, u.OutputRate = billing.DecInt(rin).Mul(inversePico), billing.DecInt(rc).Mul(inversePico), billing.DecInt(ro).Mul(inversePico)
		} else {
			exact = exact && rin == 0 && rc == 0 && ro == 0 // a model the catalog does not price: all its rows are "other"
			u.OtherRequests, u.OtherInputTokens, u.OtherOutputTokens, u.OtherCost = u.Requests, prompt, u.OutputTokens, u.Cost
			u.OutputTokens, u.CachedTokens = 0, 0
		}
		res = append(res, u)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("reading usage by model: %w", err)
	}
	return res, exact, nil
}

func usageRows(ctx context.Context, q Querier, args []any) ([]billing.ModelUsage, error) {
	rows, err := q.Query(ctx, usageRowsSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("reading usage by model: %w", err)
	}
	defer rows.Close()
	var res []billing.ModelUsage
	for rows.Next() {
		var u billing.ModelUsage
		var rin, rc, ro int64
		var other, total string
		if err := rows.Scan(&u.Model, &u.Provider, &u.Requests, &u.InputTokens, &u.CachedTokens, &u.OutputTokens,
			&rin, &rc, &ro, &u.OtherRequests, &u.OtherInputTokens, &u.OtherOutputTokens, &other, &total); err != nil {
			return nil, fmt.Errorf("reading usage by model: %w", err)
		}
		u.InputRate = billing.DecInt(rin).Mul(inversePico)
		u.CachedRate, u.OutputRate = billing.DecInt(rc).Mul(inversePico), billing.DecInt(ro).Mul(inversePico)
		u.OtherCost, u.Cost = billing.MustDec(other), billing.MustDec(total)
		res = append(res, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading usage by model: %w", err)
	}
	return res, nil
}

var inversePico = billing.DecFrac(1, 1_000_000_000_000)

// ActiveUsers counts the users active in month m: those with a usage row
// in the month (any request made with their key, allowed or refused) or a
// sign-in to the admin API in it, both in UTC.
func ActiveUsers(ctx context.Context, q Querier, tenantID string, m billing.Month) (int64, error) {
	var n int64
	// The inner GROUP BY makes PostgreSQL hash a few hundred users rather
	// than sort millions of rows.
	err := q.QueryRow(ctx, `SELECT count(*) FROM (
    (SELECT user_id FROM usage_logs WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND user_id IS NOT NULL GROUP BY user_id)
    UNION
    SELECT user_id FROM user_activity_months WHERE tenant_id = $1 AND month = $2::date
) a`, tenantID, m.Start(), m.End()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting active users: %w", err)
	}
	return n, nil
}

// UserActive reports whether user userID of tenantID was active in month m
// (see ActiveUsers).
func UserActive(ctx context.Context, q Querier, tenantID, userID string, m billing.Month) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (
    SELECT 1 FROM usage_logs WHERE tenant_id = $1 AND user_id = $2 AND created_at >= $3 AND created_at < $4
) OR EXISTS (
    SELECT 1 FROM user_activity_months WHERE tenant_id = $1 AND user_id = $2 AND month = $3::date
)`, tenantID, userID, m.Start(), m.End()).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("checking user activity: %w", err)
	}
	return ok, nil
}

// DaySpend is one UTC day's usage.
type DaySpend struct {
	Day                                      time.Time
	Requests, PromptTokens, CompletionTokens int64
	Cost                                     billing.Dec
}

// UsageByDay returns the scope's usage per UTC day, days without usage left out.
func UsageByDay(ctx context.Context, q Querier, s UsageScope) ([]DaySpend, error) {
	rows, err := q.Query(ctx, `SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS d, count(*),
    coalesce(sum(prompt_tokens), 0)::bigint, coalesce(sum(completion_tokens), 0)::bigint, sum(cost_usd)::text
FROM usage_logs WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND ($4::uuid IS NULL OR user_id = $4::uuid)
GROUP BY d ORDER BY d`, s.TenantID, s.From, s.To, s.userArg())
	if err != nil {
		return nil, fmt.Errorf("reading usage by day: %w", err)
	}
	defer rows.Close()
	var out []DaySpend
	for rows.Next() {
		var d DaySpend
		var cost string
		if err := rows.Scan(&d.Day, &d.Requests, &d.PromptTokens, &d.CompletionTokens, &cost); err != nil {
			return nil, fmt.Errorf("reading usage by day: %w", err)
		}
		d.Day, d.Cost = time.Date(d.Day.Year(), d.Day.Month(), d.Day.Day(), 0, 0, 0, 0, time.UTC), billing.MustDec(cost)
		out = append(out, d)
	}
	return out, rows.Err()
}

// UsageTotal returns the scope's recorded cost.
func UsageTotal(ctx context.Context, q Querier, s UsageScope) (billing.Dec, error) {
	var cost string
	err := q.QueryRow(ctx, `SELECT coalesce(sum(cost_usd), 0)::text FROM usage_logs
WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND ($4::uuid IS NULL OR user_id = $4::uuid)`,
		s.TenantID, s.From, s.To, s.userArg()).Scan(&cost)
	if err != nil {
		return billing.Zero, fmt.Errorf("totalling usage: %w", err)
	}
	return billing.MustDec(cost), nil
}
