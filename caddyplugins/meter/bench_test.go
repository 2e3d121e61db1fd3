package meter

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
	"github.com/aigw/aigw/internal/usage"
)

// benchHandler is a meter with a real writer over a sink that discards and
// an audit queue nobody drains (its Add is the request path's cost).
func benchHandler(b *testing.B) *Handler {
	b.Helper()
	w, err := usage.NewWriter(discard{}, usage.Options{SpoolDir: b.TempDir(), BatchSize: 2000})
	if err != nil {
		b.Fatal(err)
	}
	// The audit store points at a closed port: events queue up (Add is the
	// request path's cost) and are never written.
	pool, err := pgxpool.New(context.Background(), "postgres://127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		b.Fatal(err)
	}
	q := audit.NewQueue(audit.NewStore(pool), 1<<16, nil)
	b.Cleanup(func() { w.Close(); q.Close(0); pool.Close() })
	h := &Handler{DisableAccessLog: true, writer: w, auditq: q}
	h.setDefaults()
	h.abuse = audit.NewBurstDetector(h.AbuseThreshold, time.Minute, time.Now)
	return h
}

// routeLike answers like the router does for a non-streamed chat call.
var routeLike = caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
	st := state.From(r)
	st.Model, st.Provider, st.RequestedModel, st.Attempts = testModel(), "openai", "gpt-4o", 1
	st.Usage = state.Usage{PromptTokens: 60, CompletionTokens: 20, Reported: true}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	st.FirstByte = time.Now()
	_, err := w.Write(answer)
	return err
})

var answer = []byte(`{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"` + strings.Repeat("word ", 80) + `"}}]}`)

func benchRequest() *http.Request {
	return benchTenantRequest("6f1c8a52-3b0e-4c61-9d7a-1f2e3d4c5b6a")
}

func benchTenantRequest(tenant string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(`{}`))
	r, st := state.Attach(r, 0)
	st.Key = &store.KeyRecord{ID: "0b9e6c1e-6a3c-4a3e-9f1a-2c8d5e7f9a10", TenantID: tenant,
		UserID: "3d5a1c2b-7e8f-4a6b-9c0d-1e2f3a4b5c6d", TenantSlug: "bank", Prefix: "sk-aigw-AbC"}
	return r
}

// discardAccessLog is an access logger that encodes every line, as in
// production, and throws it away.
func discardAccessLog() *zap.Logger {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zapcore.InfoLevel))
}

// BenchmarkMeterAccessLog is BenchmarkMeterOverhead with the access log on.
func BenchmarkMeterAccessLog(b *testing.B) {
	h := benchHandler(b)
	h.DisableAccessLog, h.access = false, discardAccessLog()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := h.ServeHTTP(httptest.NewRecorder(), benchRequest(), routeLike); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMeterIntoPostgres is the meter's whole cost per request: the
// request path with the access log on, plus the background writers storing
// the usage row and the api.request audit event in PostgreSQL. cpu-ns/op is
// the process's CPU time (all goroutines; the database's own excluded).
func BenchmarkMeterIntoPostgres(b *testing.B) {
	ctx := context.Background()
	pool := testdb.New(b)
	tn, err := store.New(pool).CreateTenant(ctx, "bank", "bank")
	if err != nil {
		b.Fatal(err)
	}
	w, err := usage.NewWriter(usage.NewPGSink(pool), usage.Options{SpoolDir: b.TempDir(), BufferSize: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	q := audit.NewQueue(audit.NewStore(pool), b.N+1, nil)
	b.Cleanup(func() { w.Close(); q.Close(time.Minute) })
	h := &Handler{access: discardAccessLog(), logger: zap.NewNop(), writer: w, auditq: q}
	h.setDefaults()
	h.abuse = audit.NewBurstDetector(h.AbuseThreshold, time.Minute, time.Now)
	cpu := cpuTime()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := h.ServeHTTP(httptest.NewRecorder(), benchTenantRequest(tn.ID), routeLike); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	q.Close(time.Minute)
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	if st := w.Stats(); st.Written != uint64(b.N) || q.Dropped() != 0 || q.Len() != 0 {
		b.Fatalf("usage stats %+v, audit events dropped %d, left %d", st, q.Dropped(), q.Len())
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMeterOverhead is the meter's cost per request: the chain with the
// meter minus BenchmarkMeterBaseline (the same request without it).
func BenchmarkMeterOverhead(b *testing.B) {
	h := benchHandler(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := h.ServeHTTP(httptest.NewRecorder(), benchRequest(), routeLike); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMeterBaseline(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := routeLike.ServeHTTP(httptest.NewRecorder(), benchRequest()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBufferFullMemory reports the heap held by a full default buffer
// (65536 rows like those the gateway writes).
func BenchmarkBufferFullMemory(b *testing.B) {
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		buf := make([]usage.Record, 0, 65536)
		st := benchRequest()
		for j := 0; j < 65536; j++ {
			s := state.From(st)
			o := outcome{status: 200, endpoint: "/v1/chat/completions", end: time.Now()}
			s.ID = fmt.Sprintf("req_%024x", j) // a fresh 28-byte id per row, as in production
			s.Model, s.Provider, s.RequestedModel, s.Deployment = testModel(), "openai", "gpt-4o", "openai/gpt-4o"
			buf = append(buf, buildRecord(s, &o, usage.Bill{Prompt: 60, Completion: 20}, 1))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB")
		runtime.KeepAlive(buf)
	}
}

// discard stores nothing: the benchmarks measure the request path only.
type discard struct{}

func (discard) Write(context.Context, []usage.Record, bool) error { return nil }
