package usage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSink stores records by id, like the database's primary key, and fails
// while down is set.
type fakeSink struct {
	mu     sync.Mutex
	down   bool
	order  []string
	stored map[string]int
	// ackLost makes the next write store its rows but report failure, as when
	// a commit reaches the server and the connection dies before the answer.
	ackLost bool
}

func newFakeSink() *fakeSink { return &fakeSink{stored: map[string]int{}} }

func (s *fakeSink) Write(_ context.Context, recs []Record, _ bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return errors.New("connection refused")
	}
	for _, r := range recs {
		if s.stored[r.RequestID] == 0 {
			s.order = append(s.order, r.RequestID)
		}
		s.stored[r.RequestID]++
	}
	if s.ackLost {
		s.ackLost = false
		return errors.New("connection reset after commit")
	}
	return nil
}

func (s *fakeSink) set(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }

func (s *fakeSink) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

const tenant = "6f1c8a52-3b0e-4c61-9d7a-1f2e3d4c5b6a"

func rec(i int) Record {
	return Record{RequestID: fmt.Sprintf("req_%06d", i), CreatedAt: time.Unix(1_700_000_000, 0).UTC(),
		TenantID: tenant, Endpoint: "/v1/chat/completions", Status: 200, TTFTMS: -1}
}

func ids(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, rec(i).RequestID)
	}
	return out
}

func newTestWriter(t *testing.T, sink Sink, clock *fakeClock, opts Options) *Writer {
	t.Helper()
	if opts.SpoolDir == "" {
		opts.SpoolDir = t.TempDir()
	}
	opts.Now = clock.Now
	opts.FlushInterval = time.Hour // the test flushes by hand
	w, err := NewWriter(sink, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func add(t *testing.T, w *Writer, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := w.Add(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
}

func flush(t *testing.T, w *Writer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestWriterSpoolsWhileDownAndReplaysInOrder(t *testing.T) {
	sink, clock := newFakeSink(), &fakeClock{now: time.Unix(0, 0)}
	w := newTestWriter(t, sink, clock, Options{BatchSize: 10, RetryInterval: time.Second})
	add(t, w, 0, 25)
	flush(t, w)
	sink.set(true)
	add(t, w, 25, 60)
	flush(t, w)
	if st := w.Stats(); st.SpoolBytes == 0 || st.Failures == 0 {
		t.Fatalf("stats while down = %+v, want rows in the spool", st)
	}
	sink.set(false)
	add(t, w, 60, 70)
	flush(t, w) // retry not due yet: the new rows join the spool, behind the older ones
	if got := len(sink.ids()); got != 25 {
		t.Fatalf("stored %d rows before the retry was due, want 25", got)
	}
	clock.Advance(time.Minute)
	flush(t, w)
	if d := cmp.Diff(ids(0, 70), sink.ids()); d != "" {
		t.Errorf("stored rows (-want +got):\n%s", d)
	}
	if st := w.Stats(); st.SpoolBytes != 0 || st.Buffered != 0 || st.Lost != 0 {
		t.Errorf("stats after replay = %+v", st)
	}
	info, err := os.Stat(filepath.Join(w.opts.SpoolDir, SpoolFile))
	if err != nil || info.Size() != 0 {
		t.Errorf("spool file after replay: %v, %v; want empty", info, err)
	}
}

func TestWriterReplayAfterLostAckStoresOnce(t *testing.T) {
	sink, clock := newFakeSink(), &fakeClock{now: time.Unix(0, 0)}
	w := newTestWriter(t, sink, clock, Options{BatchSize: 5})
	sink.ackLost = true
	add(t, w, 0, 5)
	flush(t, w)
	clock.Advance(time.Minute)
	flush(t, w)
	for id, n := range sink.stored {
		if n != 2 {
			t.Errorf("%s written %d times; want the batch written, spooled, replayed", id, n)
		}
	}
	if d := cmp.Diff(ids(0, 5), sink.ids()); d != "" {
		t.Errorf("distinct rows (-want +got):\n%s", d)
	}
}

func TestWriterFullBufferSpoolsInsteadOfBlocking(t *testing.T) {
	sink, clock := newFakeSink(), &fakeClock{now: time.Unix(0, 0)}
	sink.set(true)
	w := newTestWriter(t, sink, clock, Options{BufferSize: 10, BatchSize: 1000})
	add(t, w, 0, 30) // the loop may not run in between: 20 go straight to disk
	if st := w.Stats(); st.Buffered > 10 || st.Spooled < 20 {
		t.Fatalf("stats = %+v; want at most 10 buffered and the rest spooled", st)
	}
	sink.set(false)
	clock.Advance(time.Minute)
	flush(t, w)
	clock.Advance(time.Minute)
	flush(t, w)
	if got := len(sink.ids()); got != 30 {
		t.Errorf("stored %d distinct rows, want 30", got)
	}
}

func TestWriterCloseFlushesAndNextStartReplays(t *testing.T) {
	dir := t.TempDir()
	sink, clock := newFakeSink(), &fakeClock{now: time.Unix(0, 0)}
	sink.set(true)
	w := newTestWriter(t, sink, clock, Options{SpoolDir: dir})
	add(t, w, 0, 40)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(rec(40)); err != nil { // a straggler after close
		t.Fatal(err)
	}
	if w.Stats().Lost != 0 {
		t.Fatal("rows lost at close")
	}
	sink.set(false)
	w2 := newTestWriter(t, sink, clock, Options{SpoolDir: dir})
	flush(t, w2)
	if d := cmp.Diff(ids(0, 41), sink.ids()); d != "" {
		t.Errorf("rows after restart (-want +got):\n%s", d)
	}
}

func TestWriterCloseWritesBufferedRows(t *testing.T) {
	sink, clock := newFakeSink(), &fakeClock{now: time.Unix(0, 0)}
	w := newTestWriter(t, sink, clock, Options{BatchSize: 7})
	add(t, w, 0, 20)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(ids(0, 20), sink.ids()); d != "" {
		t.Errorf("rows after close (-want +got):\n%s", d)
	}
}

func TestSpoolCutsTornTail(t *testing.T) {
	dir := t.TempDir()
	sp, err := openSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Append([]Record{rec(1), rec(2)}, true); err != nil {
		t.Fatal(err)
	}
	sp.Close()
	f, err := os.OpenFile(filepath.Join(dir, SpoolFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"id":"req_torn","at":"2023`) // a crash mid-write
	f.Close()
	sp, err = openSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	recs, span, corrupt, err := sp.next(10)
	if err != nil || corrupt != 0 || span != sp.size {
		t.Fatalf("next = %d recs, span %d of %d, corrupt %d, %v", len(recs), span, sp.size, corrupt, err)
	}
	if len(recs) != 2 || recs[1].RequestID != "req_000002" {
		t.Errorf("records = %+v", recs)
	}
}

func TestSpoolSkipsCorruptLines(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SpoolFile), []byte("not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := openSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if err := sp.Append([]Record{rec(3)}, true); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		recs, span, _, err := sp.next(1)
		if err != nil {
			t.Fatal(err)
		}
		if span == 0 {
			break
		}
		for _, r := range recs {
			got = append(got, r.RequestID)
		}
		if len(recs) > 0 {
			sp.advance(span)
		}
	}
	if d := cmp.Diff([]string{"req_000003"}, got); d != "" {
		t.Errorf("replayed (-want +got):\n%s", d)
	}
	if sp.Pending() != 0 || sp.size != 0 {
		t.Errorf("spool not truncated after drain: pending %d size %d", sp.Pending(), sp.size)
	}
}

func TestRecordValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Record)
		ok   bool
	}{
		{"valid", func(*Record) {}, true},
		{"no tenant", func(r *Record) { r.TenantID = "" }, false},
		{"bad user", func(r *Record) { r.UserID = "bob" }, false},
		{"no id", func(r *Record) { r.RequestID = "" }, false},
		{"key ok", func(r *Record) { r.APIKeyID = tenant }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rec(1)
			tt.mod(&r)
			if err := r.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestWriterFlushEndsUnderContinuousLoad is the regression test of a flush
// (a config unload) that waited for the buffer to empty while requests kept
// filling it, and so held every reload for its whole timeout.
func TestWriterFlushEndsUnderContinuousLoad(t *testing.T) {
	sink, clock := newFakeSink(), &fakeClock{now: time.Unix(0, 0)}
	w := newTestWriter(t, sink, clock, Options{BatchSize: 10, BufferSize: 1 << 20})
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				w.Add(rec(i))
				if i%100 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}
	}()
	defer func() { close(stop); <-done }()
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := w.Flush(ctx); err != nil {
		t.Fatalf("flush under load: %v", err)
	}
}
