package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/billing"
)

// TestBillingAtScale runs the summary, an invoice and the CSV export on one
// tenant with many usage rows in one month, checks them against
// PostgreSQL's own sums, and logs each call's time and the admin API
// process's peak heap growth during it. By default it seeds 100,000 rows
// (a few seconds under make test); the benchmark of the issue note sets
// AIGW_BILLING_BENCH_ROWS=5000000:
//
//	cd admin-api && AIGW_BILLING_BENCH_ROWS=5000000 AIGW_TEST_DATABASE_URL=... \
//	    go test -run TestBillingAtScale -v -timeout 60m ./server/
//
// The rows are made by PostgreSQL from a hash of their number, so every
// run seeds the same data. The CSV export must stream: its peak heap
// growth stays under 32 MiB whatever the file's size (about 900 MiB for
// five million rows).
func TestBillingAtScale(t *testing.T) {
	rows := 100_000
	if s := os.Getenv("AIGW_BILLING_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			t.Fatalf("AIGW_BILLING_BENCH_ROWS=%q: want an integer of at least 1000", s)
		}
		rows = n
	}
	e := newEnv(t)
	a := e.addTenant("scale")
	m := e.pastMonth(1)
	e.do("PUT", "/billing/plan", a.Tokens["admin"], map[string]any{"seat_fee": "25", "adjustments": []map[string]string{{"provider": "anthropic", "percent": "8"}}}).want(http.StatusOK)
	start := time.Now()
	e.seedScale(a.ID, m, rows)
	t.Logf("seeded %d rows in %s", rows, time.Since(start).Round(time.Millisecond))

	var s BillingSummary
	dur, peak := measure(func() { e.getJSON(a, "admin", "/billing/summary?month="+m.String(), &s) })
	t.Logf("summary: %s, peak heap growth %.1f MiB", dur.Round(time.Millisecond), mib(peak))
	var cost string
	e.pool.QueryRow(context.Background(), `SELECT sum(cost_usd)::text FROM usage_logs WHERE tenant_id = $1`, a.ID).Scan(&cost) //nolint:errcheck
	if s.Requests != int64(rows) || billing.MustDec(s.TokenCostUSD).Cmp(billing.MustDec(cost)) != 0 || s.ActiveUsers != 500 {
		t.Errorf("summary: %d requests, cost %s, %d active users; usage_logs has %d rows costing %s from 500 users", s.Requests, s.TokenCostUSD, s.ActiveUsers, rows, cost)
	}

	var inv InvoiceView
	dur, peak = measure(func() {
		e.do("POST", "/billing/invoice", a.Tokens["admin"], map[string]any{"month": m.String()}).want(http.StatusCreated).decode(&inv)
	})
	t.Logf("invoice: %s, peak heap growth %.1f MiB, %d lines, total %s", dur.Round(time.Millisecond), mib(peak), len(inv.LineItems), inv.Total)
	if sumLines(t, inv).Cmp(billing.MustDec(inv.Total)) != 0 || billing.MustDec(inv.TokenCostUSD).Cmp(billing.MustDec(cost)) != 0 {
		t.Errorf("invoice total %s, lines %s, token cost %s", inv.Total, sumLines(t, inv), inv.TokenCostUSD)
	}

	for _, group := range []string{"request", "day"} {
		var size, lines int64
		dur, peak = measure(func() { size, lines = e.streamCSV(a, m, group) })
		t.Logf("CSV by %s: %s, %d records, %.1f MiB, peak heap growth %.1f MiB", group, dur.Round(time.Millisecond), lines, mib(uint64(size)), mib(peak))
		if group == "request" {
			if lines != int64(rows)+1 {
				t.Errorf("CSV has %d records, want %d and a header", lines, rows)
			}
			if peak > maxStreamHeap {
				t.Errorf("CSV export grew the heap by %.1f MiB for a %.1f MiB file: it does not stream", mib(peak), mib(uint64(size)))
			}
		}
	}
}

// maxStreamHeap bounds the heap growth of a streamed export, whatever its
// size: a batch of rows, buffers, and the garbage the collector has not
// yet taken.
const maxStreamHeap = 32 << 20

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// measure runs fn and returns its duration and the peak growth of the
// process's in-use heap while it ran, sampled every 5 ms.
func measure(fn func()) (time.Duration, uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > base && ms.HeapInuse-base > peak.Load() {
				peak.Store(ms.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	fn()
	d := time.Since(start)
	close(done)
	<-stopped
	return d, peak.Load()
}

// streamCSV downloads an export of month m without keeping it, and
// returns its size and its number of lines.
func (e *env) streamCSV(tn *tenant, m billing.Month, group string) (size, lines int64) {
	e.t.Helper()
	url := fmt.Sprintf("%s%s/billing/export/csv?from=%s&to=%s&group_by=%s", e.http.URL, Prefix,
		m.Start().Format("2006-01-02"), m.End().Format("2006-01-02"), group)
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+tn.Tokens["admin"])
	res, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		e.t.Fatalf("export: %d", res.StatusCode)
	}
	buf := make([]byte, 64<<10)
	for {
		n, err := res.Body.Read(buf)
		size += int64(n)
		for _, c := range buf[:n] {
			if c == '\n' {
				lines++
			}
		}
		if err == io.EOF {
			return size, lines
		}
		if err != nil {
			e.t.Fatal(err)
		}
	}
}

// seedScale makes 500 users and n usage rows spread over month m, of eight
// models at their catalog prices (every 97th row at another price), with
// cached tokens on every fifth row.
func (e *env) seedScale(tenantID string, m billing.Month, n int) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `INSERT INTO users (tenant_id, email, display_name, role)
SELECT $1, 'bench' || i || '@scale.example', 'Bench user ' || i, 'user' FROM generate_series(1, 500) i`, tenantID); err != nil {
		e.t.Fatal(err)
	}
	var models, providers []string
	var in, cached, out []int64
	for _, id := range []string{"gpt-4o", "gpt-4o-mini", "gpt-5", "gpt-5-nano", "claude-sonnet-4-5", "claude-haiku-4-5", "gemini-2.5-flash", "o4-mini"} {
		md, err := e.srv.res.catalog.Resolve(id)
		if err != nil {
			e.t.Fatal(err)
		}
		models, providers = append(models, md.ID), append(providers, md.Provider)
		in, cached, out = append(in, int64(md.InputRate)), append(cached, int64(md.CachedInputRate)), append(out, int64(md.OutputRate))
	}
	_, err := e.pool.Exec(ctx, `
WITH u AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE tenant_id = $1 AND email LIKE 'bench%'),
g AS (
    SELECT i, abs(hashint4(i)) AS h1, abs(hashint4(-i)) AS h2, 1 + abs(hashint4(i * 7)) % 8 AS k FROM generate_series(1, $4::int) i
), r AS (
    SELECT g.*, g.h1 % 16000 AS p, g.h2 % 2000 AS o, CASE WHEN i % 5 = 0 THEN (g.h1 % 16000) / 3 ELSE 0 END AS c FROM g
)
INSERT INTO usage_logs (request_id, created_at, tenant_id, user_id, endpoint, requested_model, model, provider,
    prompt_tokens, completion_tokens, cached_tokens, cost_usd, status, latency_ms)
SELECT 'scale-' || r.i, $2::timestamptz + (r.i::float8 / ($4 + 1)) * ($3::timestamptz - $2::timestamptz),
    $1, u.ids[1 + r.h2 % 500], '/v1/chat/completions', ($5::text[])[r.k], ($5::text[])[r.k], ($6::text[])[r.k], r.p, r.o, r.c,
    (((r.p - r.c) * ($7::bigint[])[r.k] + r.c * ($8::bigint[])[r.k] + r.o * ($9::bigint[])[r.k])::numeric
        + CASE WHEN r.i % 97 = 0 THEN 1234567 ELSE 0 END) / 1000000000000,
    200, 100 + r.h1 % 900
FROM r, u`, tenantID, m.Start(), m.End(), n, models, providers, in, cached, out)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.pool.Exec(ctx, `ANALYZE usage_logs; ANALYZE users`); err != nil {
		e.t.Fatal(err)
	}
}
