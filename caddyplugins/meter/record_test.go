package meter

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/money"
	"github.com/aigw/aigw/internal/store"
)

func testModel() *catalog.Model {
	return &catalog.Model{ID: "gpt-4o", Provider: "openai", InputRate: 2_500_000, CachedInputRate: 1_250_000, OutputRate: 10_000_000}
}

func TestTokensAndCost(t *testing.T) {
	tests := []struct {
		name                       string
		st                         state.Request
		o                          outcome
		prompt, cached, completion int
		counted                    bool
		cost                       money.Pico
	}{
		{name: "reported", st: state.Request{Model: testModel(), Attempts: 1,
			Usage: state.Usage{PromptTokens: 100, CachedTokens: 40, CompletionTokens: 10, Reported: true}},
			prompt: 100, cached: 40, completion: 10,
			cost: 60*2_500_000 + 40*1_250_000 + 10*10_000_000},
		{name: "cut stream counts streamed bytes", st: state.Request{Model: testModel(), Attempts: 1, Stream: true, EstPromptTokens: 30},
			o: outcome{status: 200, streamed: 41}, prompt: 30, completion: 11, counted: true, cost: 30*2_500_000 + 11*10_000_000},
		{name: "no estimate: prompt from body size", st: state.Request{Model: testModel(), Attempts: 1, Stream: true},
			o: outcome{status: 200, promptBytes: 400, streamed: 4}, prompt: 100, completion: 1, counted: true, cost: 100*2_500_000 + 10_000_000},
		{name: "refused before the provider", st: state.Request{Model: testModel(), ErrorCode: "rate_limit_exceeded"},
			o: outcome{status: 429, promptBytes: 400}},
		{name: "unresolved model", st: state.Request{Attempts: 0}, o: outcome{status: 404}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c, comp, counted := tokens(&tt.st, &tt.o)
			if p != tt.prompt || c != tt.cached || comp != tt.completion || counted != tt.counted {
				t.Errorf("tokens = %d, %d, %d, %v; want %d, %d, %d, %v", p, c, comp, counted, tt.prompt, tt.cached, tt.completion, tt.counted)
			}
			if got := cost(&tt.st, p, c, comp); got != tt.cost {
				t.Errorf("cost = %s, want %s", got, tt.cost)
			}
		})
	}
}

func TestBuildRecord(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := state.Request{ID: "req_1", Start: start, FirstByte: start.Add(150 * time.Millisecond), Model: testModel(),
		RequestedModel: "fast", Provider: "openai", Deployment: "openai/gpt-4o", Attempts: 2, Stream: true,
		Key: &store.KeyRecord{ID: "k", TenantID: "t", UserID: "u"}, ErrorCode: "", GuardrailAction: "redact"}
	o := outcome{status: 200, endpoint: "/v1/chat/completions", end: start.Add(time.Second)}
	r := buildRecord(&st, &o, 1, 0, 2, 42)
	if r.TenantID != "t" || r.UserID != "u" || r.APIKeyID != "k" || r.Model != "gpt-4o" || r.RequestedModel != "fast" ||
		r.LatencyMS != 1000 || r.TTFTMS != 150 || r.Cost != 42 || r.Attempts != 2 || !r.Stream || r.GuardrailAction != "redact" {
		t.Errorf("record = %+v", r)
	}
	st.FirstByte = time.Time{}
	if r := buildRecord(&st, &o, 0, 0, 0, 0); r.TTFTMS != -1 {
		t.Errorf("ttft without an answer = %d, want -1", r.TTFTMS)
	}
}

func TestSSECounterAcrossSplitWrites(t *testing.T) {
	stream := "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n" +
		"data: {\"choices\":[{\"delta\":{\"content\":\"Hello, \"}}]}\n\n" +
		"data: {\"choices\":[{\"delta\":{\"content\":\"w\\u00f6rld\"}}]}\n\n" +
		"data: [DONE]\n\n"
	for split := 1; split < len(stream); split += 7 {
		var c sseCounter
		for i := 0; i < len(stream); i += split {
			c.observe([]byte(stream[i:min(i+split, len(stream))]))
		}
		if c.content != len("Hello, ")+len("wörld") {
			t.Fatalf("split %d: counted %d bytes", split, c.content)
		}
	}
}

func TestRecorderPassesThroughAndSetsHeaders(t *testing.T) {
	rr := httptest.NewRecorder()
	var called int
	rec := &recorder{ResponseWriter: rr, beforeHeader: func(h http.Header, status int, _ time.Time) {
		called++
		h.Set("X-Test-Status", http.StatusText(status))
	}}
	rec.Header().Set("Content-Type", "text/event-stream")
	if err := http.NewResponseController(rec).Flush(); err != nil {
		t.Fatal(err)
	}
	body := "data: {\"choices\":[{\"delta\":{\"content\":\"abc\"}}]}\n\n"
	if _, err := io.Copy(rec, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	rec.WriteHeader(500) // late: ignored
	if called != 1 || rec.status != 200 || rr.Code != 200 || !rr.Flushed || rr.Header().Get("X-Test-Status") != "OK" {
		t.Errorf("called %d, status %d/%d, flushed %v, headers %v", called, rec.status, rr.Code, rr.Flushed, rr.Header())
	}
	if rec.sse == nil || rec.sse.content != 3 || rec.bytes != int64(len(body)) || rr.Body.String() != body {
		t.Errorf("observed %+v, %d bytes, body %q", rec.sse, rec.bytes, rr.Body.String())
	}
	if http.ResponseWriter(rr) != rec.Unwrap() {
		t.Error("Unwrap does not return the wrapped writer")
	}
}

func TestRecorderReadFromUsesUnderlying(t *testing.T) {
	var under readFromWriter
	under.ResponseRecorder = httptest.NewRecorder()
	rec := &recorder{ResponseWriter: &under}
	if _, err := io.Copy(rec, struct{ io.Reader }{bytes.NewReader([]byte("plain body"))}); err != nil {
		t.Fatal(err)
	}
	if !under.used || rec.bytes != 10 || rec.status != 200 {
		t.Errorf("ReadFrom used %v, bytes %d, status %d", under.used, rec.bytes, rec.status)
	}
}

type readFromWriter struct {
	*httptest.ResponseRecorder
	used bool
}

func (w *readFromWriter) ReadFrom(r io.Reader) (int64, error) {
	w.used = true
	return io.Copy(w.ResponseRecorder, r)
}

func TestBurstDetectorOncePerWindow(t *testing.T) {
	now := time.Unix(0, 0)
	d := audit.NewBurstDetector(3, time.Minute, func() time.Time { return now })
	var crossings []int
	for i := 0; i < 10; i++ {
		if n, crossed := d.Hit("k"); crossed {
			crossings = append(crossings, n)
		}
	}
	now = now.Add(time.Minute)
	for i := 0; i < 3; i++ {
		if n, crossed := d.Hit("k"); crossed {
			crossings = append(crossings, n)
		}
	}
	if len(crossings) != 2 || crossings[0] != 3 || crossings[1] != 3 {
		t.Errorf("crossings = %v, want one per window at the threshold", crossings)
	}
	if _, crossed := d.Hit("other"); crossed {
		t.Error("another key crossed on its first refusal")
	}
}

func TestUSDMatchesPicoString(t *testing.T) {
	for _, p := range []money.Pico{0, 1, 999_999_999_999, 1_000_000_000_000, 1_234_567_890_123, 9_223_372_036_854_775_807, -5} {
		if got, want := usd(p), p.String(); got != want {
			t.Errorf("usd(%d) = %s, want %s", p, got, want)
		}
	}
}
