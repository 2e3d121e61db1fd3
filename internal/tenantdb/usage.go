package tenantdb

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"sort"
	"time"

	"github.com/aigw/aigw/internal/store"
)

// UsageTotals are the sums of a set of usage rows.
type UsageTotals struct {
	Requests, PromptTokens, CompletionTokens, CachedTokens int64
	// CostUSD is exact, in US dollars with 12 decimals.
	CostUSD string
	// Errors are answers with status 400 or above; GuardrailBlocks the
	// requests a guardrail refused.
	Errors, GuardrailBlocks int64
}

// UsageGroup is the usage of one value of a breakdown (a model, a
// provider, a user or key id, or the start of a time bucket).
type UsageGroup struct {
	Key string
	UsageTotals
}

// Dashboard is the tenant's usage over a period.
type Dashboard struct {
	Totals UsageTotals
	// Series has one group per hour or day (Key: RFC 3339 start, UTC) that
	// had requests, in order.
	Series []UsageGroup
	// ByModel, ByProvider, ByUser and ByKey are sorted by cost, then
	// requests, descending; ByUser and ByKey keep the top 100. "" is "none"
	// (a tenant-wide key, a refusal before a model was known).
	ByModel, ByProvider, ByUser, ByKey []UsageGroup
	// P50LatencyMS and P95LatencyMS are within 5%: latencies are counted in
	// buckets 10% wide.
	P50LatencyMS, P95LatencyMS int64
}

// Granularities of the dashboard's series.
const (
	Hour = "hour"
	Day  = "day"
)

// usageDims expands usage_logs rows n into one row per dimension value, as
// the usage_logs_rollup trigger does into usage_rollups.
const usageDims = `SELECT date_trunc('hour', n.created_at, 'UTC') AS start, d.dim, d.value, count(*) AS requests,
       sum(n.prompt_tokens) AS prompt_tokens, sum(n.completion_tokens) AS completion_tokens,
       sum(n.cached_tokens) AS cached_tokens, sum(n.cost_usd) AS cost_usd,
       count(*) FILTER (WHERE n.status >= 400) AS errors, count(*) FILTER (WHERE n.guardrail_action = 'block') AS guardrail_blocks
FROM usage_logs n
CROSS JOIN LATERAL (VALUES ('total', ''), ('model', n.model), ('provider', n.provider),
    ('user', coalesce(n.user_id::text, '')), ('key', coalesce(n.api_key_id::text, '')),
    ('latency', aigw_latency_bucket(n.latency_ms)::text)) AS d (dim, value)
WHERE n.tenant_id = $1 AND ($7 = '' OR n.user_id = nullif($7, '')::uuid)
  AND (n.created_at >= $8 AND n.created_at < $2 OR n.created_at >= $5 AND n.created_at < $9)
GROUP BY 1, 2, 3`

// dashboardSQL sums, per dimension value, whole days ($3 to $4) from the
// daily rollups, whole hours ($2 to $3 and $4 to $5) from the hourly ones,
// and the partial hours at either end ($8 to $2 and $5 to $9) from
// usage_logs. With an hourly series ($6), the total comes from hourly
// rollups throughout. Total rows are grouped into the series' buckets.
const dashboardSQL = `WITH parts AS (
  SELECT start, dim, value, requests, prompt_tokens, completion_tokens, cached_tokens, cost_usd, errors, guardrail_blocks
  FROM usage_rollups
  WHERE tenant_id = $1 AND (
        grain = 'h' AND (start >= $2 AND start < $3 OR start >= $4 AND start < $5 OR $6 AND dim = 'total' AND start >= $3 AND start < $4)
     OR grain = 'd' AND start >= $3 AND start < $4 AND NOT ($6 AND dim = 'total'))
  UNION ALL ` + usageDims + `
)
SELECT dim, value, CASE WHEN dim = 'total' THEN date_trunc($10, start, 'UTC') END AS bucket,
       sum(requests)::bigint, sum(prompt_tokens)::bigint, sum(completion_tokens)::bigint, sum(cached_tokens)::bigint,
       sum(cost_usd)::numeric(30,12)::text, sum(errors)::bigint, sum(guardrail_blocks)::bigint
FROM parts GROUP BY 1, 2, 3`

// UsageDashboard sums the tenant's usage (the owner's only, for an
// owner-bound DB) from from to to (exclusive), with a series by hour or
// day (UTC). Whole days and hours come from the rollups, the partial hours
// at either end from usage_logs; an owner-bound DB reads usage_logs alone,
// by its (tenant, user, time) index.
func (d *DB) UsageDashboard(ctx context.Context, from, to time.Time, granularity string) (*Dashboard, error) {
	return d.usageDashboard(ctx, from, to, granularity, d.ownerID == "")
}

// spans splits [from, to) into a partial hour, whole hours, whole days,
// whole hours and a partial hour: from <= a <= A <= B <= b <= to.
func spans(from, to time.Time, rollups bool) (a, A, B, b time.Time) {
	a, b = ceilTo(from, time.Hour), to.Truncate(time.Hour)
	if !rollups || !a.Before(b) {
		return to, to, to, to // nothing whole: everything from usage_logs
	}
	A, B = ceilTo(a, 24*time.Hour), b.Truncate(24*time.Hour)
	if !A.Before(B) {
		return a, b, b, b // no whole day: whole hours and the ends
	}
	return a, A, B, b
}

func ceilTo(t time.Time, d time.Duration) time.Time {
	if c := t.Truncate(d); c.Before(t) {
		return c.Add(d)
	}
	return t
}

func (d *DB) usageDashboard(ctx context.Context, from, to time.Time, granularity string, rollups bool) (*Dashboard, error) {
	if granularity != Hour && granularity != Day {
		return nil, &store.FieldError{Field: "granularity", Reason: "want hour or day"}
	}
	from, to = from.UTC(), to.UTC()
	a, A, B, b := spans(from, to, rollups)
	rows, err := d.pool.Query(ctx, dashboardSQL, d.tenantID, a, A, B, b, granularity == Hour, d.ownerID, from, to, granularity)
	if err != nil {
		return nil, fmt.Errorf("usage dashboard: %w", err)
	}
	defer rows.Close()
	out := &Dashboard{Totals: UsageTotals{CostUSD: "0.000000000000"}}
	var latency []UsageGroup
	byDim := map[string]*[]UsageGroup{"total": &out.Series, "model": &out.ByModel, "provider": &out.ByProvider,
		"user": &out.ByUser, "key": &out.ByKey, "latency": &latency}
	for rows.Next() {
		var dim string
		var bucket *time.Time
		var g UsageGroup
		t := &g.UsageTotals
		if err := rows.Scan(&dim, &g.Key, &bucket, &t.Requests, &t.PromptTokens, &t.CompletionTokens, &t.CachedTokens,
			&t.CostUSD, &t.Errors, &t.GuardrailBlocks); err != nil {
			return nil, fmt.Errorf("usage dashboard: %w", err)
		}
		if bucket != nil {
			g.Key = bucket.UTC().Format(time.RFC3339)
		}
		if list := byDim[dim]; list != nil {
			*list = append(*list, g)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("usage dashboard: %w", err)
	}
	sort.Slice(out.Series, func(i, j int) bool { return out.Series[i].Key < out.Series[j].Key })
	if err := sumSeries(out); err != nil {
		return nil, err
	}
	for _, list := range []*[]UsageGroup{&out.ByModel, &out.ByProvider, &out.ByUser, &out.ByKey} {
		sortByCost(*list)
	}
	out.ByUser, out.ByKey = top(out.ByUser, 100), top(out.ByKey, 100)
	out.P50LatencyMS, out.P95LatencyMS = percentile(latency, 0.5), percentile(latency, 0.95)
	return out, nil
}

// sumSeries sets the totals to the sum of the series, costs summed exactly.
func sumSeries(out *Dashboard) error {
	t := &out.Totals
	cost := new(big.Rat)
	for _, g := range out.Series {
		t.Requests += g.Requests
		t.PromptTokens += g.PromptTokens
		t.CompletionTokens += g.CompletionTokens
		t.CachedTokens += g.CachedTokens
		t.Errors += g.Errors
		t.GuardrailBlocks += g.GuardrailBlocks
		c, ok := new(big.Rat).SetString(g.CostUSD)
		if !ok {
			return fmt.Errorf("usage dashboard: cost %q is not a decimal", g.CostUSD)
		}
		cost.Add(cost, c)
	}
	t.CostUSD = cost.FloatString(12)
	return nil
}

func sortByCost(gs []UsageGroup) {
	sort.SliceStable(gs, func(i, j int) bool {
		ci, cj := costKey(gs[i].CostUSD), costKey(gs[j].CostUSD)
		if ci != cj {
			return ci > cj
		}
		if gs[i].Requests != gs[j].Requests {
			return gs[i].Requests > gs[j].Requests
		}
		return gs[i].Key < gs[j].Key
	})
}

// costKey orders decimal cost strings (12 decimals, no sign) exactly:
// left-padded, they compare as strings.
func costKey(s string) string {
	const width = 40
	if len(s) >= width {
		return s
	}
	return fmt.Sprintf("%*s", width, s)
}

func top(gs []UsageGroup, n int) []UsageGroup {
	if len(gs) > n {
		return gs[:n]
	}
	return gs
}

// percentile returns the latency, in milliseconds, below which fraction p
// of requests fell, from the counts per latency bucket (bucket b holds
// latencies from 1.1^b to 1.1^(b+1) ms); it answers the bucket's
// geometric middle, within 5% of any latency in it.
func percentile(buckets []UsageGroup, p float64) int64 {
	type bc struct {
		b int
		n int64
	}
	var bs []bc
	var total int64
	for _, g := range buckets {
		var b int
		if _, err := fmt.Sscan(g.Key, &b); err != nil {
			continue
		}
		bs = append(bs, bc{b, g.Requests})
		total += g.Requests
	}
	if total == 0 {
		return 0
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].b < bs[j].b })
	need := int64(math.Ceil(p * float64(total)))
	var seen int64
	for _, x := range bs {
		seen += x.n
		if seen >= need {
			return int64(math.Round(math.Pow(1.1, float64(x.b)+0.5)))
		}
	}
	return int64(math.Round(math.Pow(1.1, float64(bs[len(bs)-1].b)+0.5)))
}
