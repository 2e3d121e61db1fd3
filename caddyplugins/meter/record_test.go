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
	"github.com/aigw/aigw/internal/usage"
)

func testModel() *catalog.Model {
	return &catalog.Model{ID: "gpt-4o", Provider: "openai", InputRate: 2_500_000, CachedInputRate: 1_250_000, OutputRate: 10_000_000}
}

func TestBuildRecord(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := state.Request{ID: "req_1", Start: start, FirstByte: start.Add(150 * time.Millisecond), Model: testModel(),
		RequestedModel: "fast", Provider: "openai", Deployment: "openai/gpt-4o", Attempts: 2, Stream: true,
		Key: &store.KeyRecord{ID: "k", TenantID: "t", UserID: "u"}, ErrorCode: "", GuardrailAction: "redact"}
	o := outcome{status: 200, endpoint: "/v1/chat/completions", end: start.Add(time.Second)}
	r := buildRecord(&st, &o, usage.Bill{Prompt: 1, Completion: 2}, 42)
	if r.TenantID != "t" || r.UserID != "u" || r.APIKeyID != "k" || r.Model != "gpt-4o" || r.RequestedModel != "fast" ||
		r.LatencyMS != 1000 || r.TTFTMS != 150 || r.Cost != 42 || r.Attempts != 2 || !r.Stream || r.GuardrailAction != "redact" {
		t.Errorf("record = %+v", r)
	}
	st.FirstByte = time.Time{}
	if r := buildRecord(&st, &o, usage.Bill{}, 0); r.TTFTMS != -1 {
		t.Errorf("ttft without an answer = %d, want -1", r.TTFTMS)
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
	if rec.bytes != int64(len(body)) || rr.Body.String() != body {
		t.Errorf("%d bytes, body %q", rec.bytes, rr.Body.String())
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
