package tenantdb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
	"github.com/aigw/aigw/internal/testdb"
)

// seedMonthSQL stores 1,000,000 usage rows of tenant $1 spread over
// November 2026 (50 users, 120 keys, 8 models on 6 providers, errors,
// blocks, latencies up to 3 s); seedOtherSQL 200,000 of another tenant.
const seedMonthSQL = `
INSERT INTO usage_logs (request_id, created_at, tenant_id, user_id, api_key_id, endpoint, model, provider,
                        prompt_tokens, completion_tokens, cost_usd, latency_ms, status, guardrail_action)
SELECT 'r' || i, timestamptz '2026-11-01 00:00:00+00' + i * interval '2.592 second', $1,
  ('00000000-0000-4000-8000-' || lpad((i % 50)::text, 12, '0'))::uuid,
  ('00000000-0000-4000-9000-' || lpad((i % 120)::text, 12, '0'))::uuid,
  '/v1/chat/completions', (ARRAY['gpt-4o','gpt-4o-mini','claude-3-5-sonnet','gemini-1.5-pro','mock-gpt','o3-mini','llama-3','mistral'])[1 + i % 8],
  (ARRAY['openai','openai','anthropic','gemini','mock','openai','vllm','ollama'])[1 + i % 8],
  100 + i % 900, 10 + i % 400, ((100 + i % 900) * 0.0000025 + (10 + i % 400) * 0.00001)::numeric(20,12),
  50 + (i::bigint * 7919) % 3000,
  CASE WHEN i % 97 = 0 THEN 429 WHEN i % 211 = 0 THEN 502 WHEN i % 53 = 0 THEN 400 ELSE 200 END,
  CASE WHEN i % 53 = 0 THEN 'block' WHEN i % 31 = 0 THEN 'redact' ELSE '' END
FROM generate_series(0, 999999) i`

const seedOtherSQL = `
INSERT INTO usage_logs (request_id, created_at, tenant_id, endpoint, status, latency_ms)
SELECT 'o' || i, timestamptz '2026-11-01 00:00:00+00' + i * interval '12.96 second', $1, '/v1/embeddings', 200, 10
FROM generate_series(0, 199999) i`

// BenchmarkUsageDashboardMonthOf1MRows measures GET /usage/dashboard's
// query over a month of a million rows: from the hourly rollups (what the
// API runs) and, as the baseline of the same run, from usage_logs alone.
//
//	go test -run '^$' -bench UsageDashboard -benchtime 20x ./internal/tenantdb/
func BenchmarkUsageDashboardMonthOf1MRows(b *testing.B) {
	ctx := context.Background()
	s := store.New(testdb.New(b))
	tn, err := s.CreateTenant(ctx, "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	other, _ := s.CreateTenant(ctx, "other", "Other")
	start := time.Now()
	for _, q := range []string{"SET synchronous_commit = off", "SELECT aigw_ensure_usage_partitions('2026-11-01', 1)"} {
		if _, err := s.Pool().Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Pool().Exec(ctx, seedMonthSQL, tn.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, seedOtherSQL, other.ID); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"VACUUM ANALYZE usage_logs", "VACUUM ANALYZE usage_rollups"} {
		if _, err := s.Pool().Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded 1,200,000 rows (rollups kept by the trigger) in %s", time.Since(start).Round(time.Second))
	d := tenantdb.New(s, tn.ID, tenantdb.Actor{})
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		rollups bool
		gran    string
	}{{"rollups/day", true, tenantdb.Day}, {"rollups/hour", true, tenantdb.Hour}, {"usage_logs/day", false, tenantdb.Day}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				out, err := tenantdb.DashboardWith(ctx, d, from.Add(17*time.Minute), to.Add(-17*time.Minute), tc.gran, tc.rollups)
				if err != nil {
					b.Fatal(err)
				}
				if out.Totals.Requests < 999_000 {
					b.Fatalf("%d requests", out.Totals.Requests)
				}
			}
		})
	}
}

// BenchmarkUsageCopyWithRollups measures what the rollup trigger adds to
// the gateway's usage writer: COPY of batches of 2,000 rows (its default
// batch), with the trigger and, as the baseline of the same run, without.
func BenchmarkUsageCopyWithRollups(b *testing.B) {
	ctx := context.Background()
	s := store.New(testdb.New(b))
	tn, err := s.CreateTenant(ctx, "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	users := []string{"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"}
	keys := []string{"00000000-0000-4000-9000-000000000001", "00000000-0000-4000-9000-000000000002", "00000000-0000-4000-9000-000000000003"}
	n := 0
	for _, trigger := range []string{"ENABLE", "DISABLE", "ENABLE"} {
		b.Run("trigger="+strings.ToLower(trigger), func(b *testing.B) {
			if _, err := s.Pool().Exec(ctx, "ALTER TABLE usage_logs "+trigger+" TRIGGER usage_logs_rollup"); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				n++
				copyUsage(b, s, usageRows(rng, tn.ID, users, keys, time.Now().Add(-time.Minute), time.Minute, 2000, fmt.Sprint("b", n)))
			}
		})
	}
}
