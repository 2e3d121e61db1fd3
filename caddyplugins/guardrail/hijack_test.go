package guardrail

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hijackWriter is a connection's writer that notes any write made after its
// connection was taken.
type hijackWriter struct {
	mu        sync.Mutex
	header    http.Header
	hijacked  bool
	lateWrite bool
}

func (w *hijackWriter) Header() http.Header { return w.header }
func (w *hijackWriter) WriteHeader(int)     {}
func (w *hijackWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.hijacked {
		w.lateWrite = true
		return 0, http.ErrHijacked
	}
	return len(p), nil
}
func (w *hijackWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lateWrite = w.lateWrite || w.hijacked
}
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hijacked = true
	c, _ := net.Pipe()
	return c, nil, nil
}

// TestHijackStopsTheReleaseTimer checks the router's closing of a gone
// client's connection against the stream screen's timer: once the
// connection is taken, what still waited is never written to it (the timer
// used to flush beside the hijack, a race on the connection's buffer).
func TestHijackStopsTheReleaseTimer(t *testing.T) {
	e, p := testPolicy(t, "bfsi-standard")
	hw := &hijackWriter{header: http.Header{"Content-Type": {"text/event-stream"}}}
	o := newOutputScreen(hw, e, p, 256)
	o.WriteHeader(http.StatusOK)
	// The clock stands still while the chunks come, so the second waits for
	// the release timer; then it runs again, so the timer would release it.
	var frozen atomic.Bool
	frozen.Store(true)
	start := time.Now()
	o.stream.now = func() time.Time {
		if frozen.Load() {
			return start
		}
		return time.Now()
	}
	for _, text := range []string{"Sure! Here is the summary you asked for. ", "Deposits rose"} {
		if _, err := o.Write([]byte(chunkEvent(text))); err != nil {
			t.Fatal(err)
		}
	}
	if o.timer == nil {
		t.Fatal("nothing waits for the release timer: the test checks nothing")
	}
	if _, _, err := http.NewResponseController(o).Hijack(); err != nil {
		t.Fatal(err)
	}
	frozen.Store(false)
	time.Sleep(3 * streamInterval)
	hw.mu.Lock()
	defer hw.mu.Unlock()
	if hw.lateWrite {
		t.Error("the release timer wrote to a connection the router had taken")
	}
}
