package meter

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
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
	h := &Handler{DisableAccessLog: true, shared: &sharedWriter{writer: w, audit: q}}
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
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(`{}`))
	r, st := state.Attach(r)
	st.Key = &store.KeyRecord{ID: "0b9e6c1e-6a3c-4a3e-9f1a-2c8d5e7f9a10", TenantID: "6f1c8a52-3b0e-4c61-9d7a-1f2e3d4c5b6a",
		TenantSlug: "bank", Prefix: "sk-aigw-AbC"}
	return r
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
			o := outcome{status: 200, endpoint: endpointOf("/v1/chat/completions"), end: time.Now()}
			s.ID = fmt.Sprintf("req_%024x", j) // a fresh 28-byte id per row, as in production
			s.Model, s.Provider, s.RequestedModel, s.Deployment = testModel(), "openai", "gpt-4o", "openai/gpt-4o"
			buf = append(buf, buildRecord(s, &o, 60, 0, 20, 1))
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
