package tenantdb_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

var usageCols = []string{"request_id", "created_at", "tenant_id", "user_id", "api_key_id", "endpoint", "model", "provider",
	"prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd", "latency_ms", "status", "guardrail_action"}

// usageRows makes n random usage rows of tenant between start and start+span.
func usageRows(rng *rand.Rand, tenant string, users, keys []string, start time.Time, span time.Duration, n int, prefix string) [][]any {
	models := []string{"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "mock-gpt", ""}
	providers := []string{"openai", "openai", "anthropic", "mock", ""}
	out := make([][]any, n)
	for i := range out {
		m := rng.IntN(len(models))
		var user, key any
		if j := rng.IntN(len(users) + 1); j < len(users) {
			user = users[j]
		}
		if j := rng.IntN(len(keys) + 1); j < len(keys) {
			key = keys[j]
		}
		status := []int{200, 200, 200, 200, 400, 429, 502}[rng.IntN(7)]
		action := []string{"", "", "", "redact", "block"}[rng.IntN(5)]
		pt, ct := rng.IntN(2000), rng.IntN(500)
		out[i] = []any{fmt.Sprintf("%s-%d", prefix, i), start.Add(time.Duration(rng.Int64N(int64(span)))), tenant, user, key,
			"/v1/chat/completions", models[m], providers[m], pt, ct, rng.IntN(pt + 1), fmt.Sprintf("%d.%012d", rng.IntN(3), rng.Int64N(1e12)),
			rng.IntN(20000), status, action}
	}
	return out
}

func copyUsage(t testing.TB, s *store.Store, rows [][]any) {
	t.Helper()
	if _, err := s.Pool().CopyFrom(context.Background(), pgx.Identifier{"usage_logs"}, usageCols, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
}

// TestDashboardFromRollupsEqualsDashboardFromRows: the hourly rollups the
// trigger keeps, completed at both ends by raw rows, give exactly what
// summing usage_logs gives, for COPYs, INSERTs and replays alike.
func TestDashboardFromRollupsEqualsDashboardFromRows(t *testing.T) {
	ctx := context.Background()
	s, sc, admin := newTenantStore(t)
	other, _ := s.CreateTenant(ctx, "other", "Other")
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 11, 3, 7, 0, 0, 0, time.UTC)
	users := []string{admin.ID, "00000000-0000-4000-8000-000000000001"}
	keys := []string{"00000000-0000-4000-9000-000000000001", "00000000-0000-4000-9000-000000000002"}
	rows := usageRows(rng, sc.TenantID(), users, keys, start, 50*time.Hour, 3000, "a")
	copyUsage(t, s, rows[:2000])
	copyUsage(t, s, usageRows(rng, other.ID, nil, nil, start, 50*time.Hour, 500, "o"))
	// The rest by INSERT, then a replay that repeats every row: only new rows count.
	replay := func(rows [][]any) {
		batch := &pgx.Batch{}
		for _, r := range rows {
			batch.Queue(`INSERT INTO usage_logs (request_id, created_at, tenant_id, user_id, api_key_id, endpoint, model, provider,
prompt_tokens, completion_tokens, cached_tokens, cost_usd, latency_ms, status, guardrail_action)
VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) ON CONFLICT DO NOTHING`, r...)
		}
		if err := s.Pool().SendBatch(ctx, batch).Close(); err != nil {
			t.Fatal(err)
		}
	}
	replay(rows[2000:])
	replay(rows)
	day2 := time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)
	for _, r := range []struct{ from, to time.Time }{
		{start.Add(37*time.Minute + 13*time.Second), start.Add(47*time.Hour + 5*time.Minute)}, // partial, hours, a day, hours, partial
		{day2, day2.Add(24 * time.Hour)},                                 // exactly one day
		{start.Add(2 * time.Hour), start.Add(5*time.Hour + time.Minute)}, // hours, no day
		{start.Add(-time.Hour), start.Add(60 * time.Hour)},               // beyond the data
	} {
		for _, gran := range []string{tenantdb.Hour, tenantdb.Day} {
			fast, err := tenantdb.DashboardWith(ctx, sc, r.from, r.to, gran, true)
			if err != nil {
				t.Fatal(err)
			}
			slow, err := tenantdb.DashboardWith(ctx, sc, r.from, r.to, gran, false)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Errorf("%s to %s by %s: rollups differ from rows (-rows +rollups):\n%s", r.from, r.to, gran, diff)
			}
			var want int64
			s.Pool().QueryRow(ctx, `SELECT count(*) FROM usage_logs WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3`, //nolint:errcheck
				sc.TenantID(), r.from, r.to).Scan(&want)
			if fast.Totals.Requests != want || want == 0 {
				t.Errorf("%s to %s by %s: %d requests, want %d", r.from, r.to, gran, fast.Totals.Requests, want)
			}
		}
	}
	from, to := start.Add(37*time.Minute+13*time.Second), start.Add(47*time.Hour+5*time.Minute)
	for gran, n := range map[string]int{tenantdb.Hour: 48, tenantdb.Day: 3} {
		d, _ := sc.UsageDashboard(ctx, from, to, gran)
		if len(d.Series) != n {
			t.Errorf("%s: %d buckets, want %d", gran, len(d.Series), n)
		}
	}
	// Within one hour there is no whole hour: rows only.
	in, err := sc.UsageDashboard(ctx, start.Add(10*time.Minute), start.Add(20*time.Minute), tenantdb.Hour)
	if err != nil || len(in.Series) != 1 {
		t.Errorf("ten minutes: %+v, %v", in, err)
	}
	// Percentiles are within 5% of the exact ones.
	d, _ := sc.UsageDashboard(ctx, from, to, tenantdb.Day)
	var p50, p95 float64
	s.Pool().QueryRow(ctx, `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY greatest(latency_ms, 1)), percentile_disc(0.95) WITHIN GROUP (ORDER BY greatest(latency_ms, 1))
FROM usage_logs WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3`, sc.TenantID(), from, to).Scan(&p50, &p95) //nolint:errcheck
	for _, c := range []struct{ got, want float64 }{{float64(d.P50LatencyMS), p50}, {float64(d.P95LatencyMS), p95}} {
		if math.Abs(c.got-c.want) > 0.05*c.want+1 {
			t.Errorf("percentile %v, exact %v", c.got, c.want)
		}
	}
	// An owner sees only their own usage.
	own, err := sc.Owner(admin.ID).UsageDashboard(ctx, from, to, tenantdb.Day)
	if err != nil || own.Totals.Requests == 0 || own.Totals.Requests >= d.Totals.Requests || len(own.ByUser) != 1 || own.ByUser[0].Key != admin.ID {
		t.Errorf("owner's dashboard: %+v, %v", own.Totals, err)
	}
}
