package usage

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/internal/money"
	"github.com/aigw/aigw/internal/testdb"
	"github.com/aigw/aigw/schema"
)

func countRows(t *testing.T, pool *pgxpool.Pool) (rows, distinct int) {
	t.Helper()
	err := pool.QueryRow(context.Background(),
		`SELECT count(*), count(DISTINCT request_id) FROM usage_logs`).Scan(&rows, &distinct)
	if err != nil {
		t.Fatal(err)
	}
	return rows, distinct
}

func TestPGSinkStoresExactCostAndSkipsReplays(t *testing.T) {
	pool := testdb.New(t)
	sink := NewPGSink(pool)
	r := rec(1)
	r.UserID, r.APIKeyID = "", tenant
	r.Cost = money.Pico(1_234_567_890_123) // 1.234567890123 USD
	r.PromptTokens, r.CompletionTokens, r.TTFTMS, r.Stream, r.Attempts = 12, 34, 56, true, 2
	batch := []Record{r, rec(2)}
	ctx := context.Background()
	for i, replay := range []bool{false, true} { // a lost acknowledgement, then the replay
		if err := sink.Write(ctx, batch, replay); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if n, d := countRows(t, pool); n != 2 || d != 2 {
		t.Fatalf("rows = %d (%d distinct), want 2", n, d)
	}
	var cost string
	var ttft *int
	var user *string
	err := pool.QueryRow(ctx, `SELECT cost_usd::text, ttft_ms, user_id::text FROM usage_logs WHERE request_id = $1`, r.RequestID).
		Scan(&cost, &ttft, &user)
	if err != nil {
		t.Fatal(err)
	}
	if cost != "1.234567890123" || ttft == nil || *ttft != 56 || user != nil {
		t.Errorf("stored cost %s, ttft %v, user %v", cost, ttft, user)
	}
	var nullTTFT bool
	if err := pool.QueryRow(ctx, `SELECT ttft_ms IS NULL FROM usage_logs WHERE request_id = 'req_000002'`).Scan(&nullTTFT); err != nil || !nullTTFT {
		t.Errorf("ttft of a row without an answer: null=%v, %v", nullTTFT, err)
	}
}

// TestNothingLostWhenPostgresIsKilledMidLoad crashes a private PostgreSQL
// while rows stream in, restarts it, and checks that every row is stored
// exactly once: rows spool while it is down and are replayed idempotently.
func TestNothingLostWhenPostgresIsKilledMidLoad(t *testing.T) {
	srv := startPGServer(t)
	pool := srv.pool(t)
	ctx := context.Background()
	if _, err := schema.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(NewPGSink(pool), Options{
		SpoolDir: t.TempDir(), BatchSize: 200, FlushInterval: 10 * time.Millisecond,
		WriteTimeout: 2 * time.Second, RetryInterval: 100 * time.Millisecond, MaxRetryInterval: 400 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	const total = 12_000 // 3 s at 4,000 rows/s
	var added atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for i := 0; i < total; i += 4 {
			<-tick.C
			for j := i; j < i+4; j++ {
				if err := w.Add(rec(j)); err != nil {
					t.Error(err)
				}
				added.Add(1)
			}
		}
	}()
	waitFor(t, 10*time.Second, "a quarter of the rows", func() bool { return added.Load() > total/4 })
	srv.stop(t, "immediate")
	waitFor(t, 10*time.Second, "rows spooled while the server is down", func() bool { return w.Stats().SpoolBytes > 0 })
	time.Sleep(500 * time.Millisecond)
	srv.start(t)
	<-done
	waitFor(t, 30*time.Second, "the spool to drain", func() bool {
		st := w.Stats()
		return st.SpoolBytes == 0 && st.Buffered == 0
	})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st := w.Stats()
	t.Logf("writer stats: %+v", st)
	if st.Spooled == 0 || st.Failures == 0 || st.Lost != 0 {
		t.Errorf("stats = %+v: want failures and spooled rows, none lost", st)
	}
	rows, distinct := countRows(t, pool)
	if rows != total || distinct != total {
		t.Errorf("usage_logs holds %d rows (%d distinct), want exactly %d", rows, distinct, total)
	}
}

// BenchmarkPGSink measures the rows per second one writer sustains into
// usage_logs on the test server, in batches of 2000.
func BenchmarkPGSink(b *testing.B) {
	pool := testdb.New(b)
	sink := NewPGSink(pool)
	const batch = 2000
	recs := make([]Record, batch)
	b.ResetTimer()
	start := time.Now()
	n := 0
	for i := 0; i < b.N; i++ {
		for j := range recs {
			recs[j] = rec(n)
			recs[j].RequestID = fmt.Sprintf("req_b%09d", n)
			recs[j].Cost = money.Pico(n * 1000)
			n++
		}
		if err := sink.Write(context.Background(), recs, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkWriterAdd measures the cost of Add on the request path.
func BenchmarkWriterAdd(b *testing.B) {
	sink := newFakeSink()
	w, err := NewWriter(discardSink{}, Options{SpoolDir: b.TempDir(), BufferSize: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	_ = sink
	r := rec(1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Add(r)
	}
	b.StopTimer()
	w.Close()
}

type discardSink struct{}

func (discardSink) Write(context.Context, []Record, bool) error { return nil }

// BenchmarkWriterIntoPostgres measures the rows per second the whole writer
// (buffer, batching, COPY) sustains into usage_logs on the test server.
func BenchmarkWriterIntoPostgres(b *testing.B) {
	pool := testdb.New(b)
	w, err := NewWriter(NewPGSink(pool), Options{SpoolDir: b.TempDir(), BufferSize: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r := rec(i)
		r.RequestID = fmt.Sprintf("req_w%09d", i)
		w.Add(r)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rows/s")
	if st := w.Stats(); st.Spooled != 0 || st.Lost != 0 {
		b.Fatalf("stats = %+v", st)
	}
}

// meterRecord is a row like those the gateway writes for a chat completion.
func meterRecord(i int) Record {
	return Record{RequestID: fmt.Sprintf("req_%024x", i), CreatedAt: time.Unix(1_700_000_000, int64(i)*1000).UTC(),
		TenantID: tenant, UserID: "0b9e6c1e-6a3c-4a3e-9f1a-2c8d5e7f9a10", APIKeyID: "3d5a1c2b-7e8f-4a6b-9c0d-1e2f3a4b5c6d",
		Endpoint: "/v1/chat/completions", RequestedModel: "gpt-4o", Model: "gpt-4o", Provider: "openai",
		Deployment: "openai/gpt-4o", PromptTokens: 1200, CompletionTokens: 350, EstPromptTokens: 1190,
		EstCompletionTokens: 400, Cost: money.Pico(6_500_000_000 + i), LatencyMS: 812, TTFTMS: 390,
		Status: 200, Attempts: 1}
}

// BenchmarkPGSinkWrite is BenchmarkPGSink without building the records: the
// allocations it reports are the sink's own (COPY encoding included).
func BenchmarkPGSinkWrite(b *testing.B) {
	pool := testdb.New(b)
	sink := NewPGSink(pool)
	const batch = 2000
	recs := make([]Record, batch)
	for j := range recs {
		recs[j] = meterRecord(j)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Fresh ids each time, written outside the timer, so no row conflicts.
		b.StopTimer()
		for j := range recs {
			recs[j].CreatedAt = recs[j].CreatedAt.Add(time.Second)
		}
		b.StartTimer()
		if err := sink.Write(context.Background(), recs, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/row")
}

// BenchmarkCopyEncode is the sink's work per batch on the client, without a
// database: records encoded in binary COPY format.
func BenchmarkCopyEncode(b *testing.B) {
	const batch = 2000
	recs := make([]Record, batch)
	for j := range recs {
		recs[j] = meterRecord(j)
	}
	buf := make([]byte, 65536)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range recs {
			if _, _, _, err := recs[j].ids(); err != nil {
				b.Fatal(err)
			}
		}
		src := newCopySource(recs)
		for {
			if _, err := src.Read(buf); err == io.EOF {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/row")
}

// BenchmarkWriterAddMeterRow is BenchmarkWriterAdd with a row like the
// gateway's, whose three ids are validated.
func BenchmarkWriterAddMeterRow(b *testing.B) {
	w, err := NewWriter(discardSink{}, Options{SpoolDir: b.TempDir(), BufferSize: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	r := meterRecord(1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Add(r)
	}
	b.StopTimer()
	w.Close()
}

// BenchmarkValidate is the id check Add makes on the request path.
func BenchmarkValidate(b *testing.B) {
	r := meterRecord(1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := r.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
