package logbuffer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/logging" // the file writer
	"go.uber.org/zap"
)

// sink records what reaches the output, one entry per write.
type sink struct {
	mu     sync.Mutex
	writes [][]byte
	closed bool
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes = append(s.writes, append([]byte(nil), p...))
	return len(p), nil
}

func (s *sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

func (s *sink) all() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(bytes.Join(s.writes, nil)), len(s.writes)
}

func TestBufferedHoldsUntilFlushOrClose(t *testing.T) {
	out := &sink{}
	b := New(out, 64, time.Hour)
	for i := range 3 {
		fmt.Fprintf(b, "line %d\n", i)
	}
	if got, n := out.all(); n != 0 {
		t.Fatalf("written before any flush: %q", got)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, n := out.all(); got != "line 0\nline 1\nline 2\n" || n != 1 {
		t.Fatalf("after Flush: %d writes, %q", n, got)
	}
	fmt.Fprintf(b, "line 3\n")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if got, n := out.all(); got != "line 0\nline 1\nline 2\nline 3\n" || n != 2 || !out.closed {
		t.Fatalf("after Close: %d writes, closed %v, %q", n, out.closed, got)
	}
	// After Close, writes go straight out.
	fmt.Fprintf(b, "late\n")
	if got, _ := out.all(); !strings.HasSuffix(got, "line 3\nlate\n") {
		t.Fatalf("a write after Close was held: %q", got)
	}
}

func TestBufferedFullBufferAndLargeWrites(t *testing.T) {
	out := &sink{}
	b := New(out, 16, time.Hour)
	b.Write([]byte("0123456789\n")) //nolint:errcheck // 11 bytes held
	b.Write([]byte("abcdef\n"))     //nolint:errcheck // does not fit: the 11 go out first
	if got, n := out.all(); got != "0123456789\n" || n != 1 {
		t.Fatalf("a full buffer was not written before the next line: %d writes, %q", n, got)
	}
	b.Write([]byte("a line longer than the whole buffer\n")) //nolint:errcheck
	if got, n := out.all(); got != "0123456789\nabcdef\na line longer than the whole buffer\n" || n != 3 {
		t.Fatalf("a line larger than the buffer: %d writes, %q", n, got)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestBufferedWritesOutAfterTheInterval(t *testing.T) {
	out := &sink{}
	b := New(out, 1<<20, 10*time.Millisecond)
	defer b.Close()
	b.Write([]byte("waiting\n")) //nolint:errcheck
	// No flush is called: the timer must write the line out. The loop only
	// bounds how long the test waits for it.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got, _ := out.all(); got == "waiting\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the held line never went out")
		}
	}
	// The timer is armed again by the next line.
	b.Write([]byte("again\n")) //nolint:errcheck
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got, _ := out.all(); got == "waiting\nagain\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second held line never went out")
		}
	}
}

func TestBufferedConcurrentLinesStayWhole(t *testing.T) {
	out := &sink{}
	b := New(out, 256, time.Millisecond)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				fmt.Fprintf(b, "g%d-%03d|\n", g, i)
			}
		}()
	}
	wg.Wait()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := out.all()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if len(l) != 7 || l[6] != '|' || seen[l] {
			t.Fatalf("a torn or repeated line: %q", l)
		}
		seen[l] = true
	}
}

func TestUnmarshalCaddyfile(t *testing.T) {
	d := caddyfile.NewTestDispenser(`aigw_buffered {
		size 128KiB
		flush_interval 500ms
		output file /tmp/access.log {
			roll_keep 3
		}
	}`)
	var w Writer
	if err := w.UnmarshalCaddyfile(d); err != nil {
		t.Fatal(err)
	}
	if w.Size != 128<<10 || time.Duration(w.FlushInterval) != 500*time.Millisecond {
		t.Errorf("size %d, flush_interval %v", w.Size, time.Duration(w.FlushInterval))
	}
	var out map[string]any
	if err := json.Unmarshal(w.OutputRaw, &out); err != nil || out["output"] != "file" || out["filename"] != "/tmp/access.log" || out["roll_keep"] != float64(3) {
		t.Errorf("output: %s (%v)", w.OutputRaw, err)
	}

	var std Writer
	if err := std.UnmarshalCaddyfile(caddyfile.NewTestDispenser(`aigw_buffered { output stdout }`)); err != nil || string(std.OutputRaw) != `{"output":"stdout"}` {
		t.Errorf("output stdout: %s (%v)", std.OutputRaw, err)
	}

	for _, bad := range []string{
		`aigw_buffered extra`,
		`aigw_buffered { size none }`,
		`aigw_buffered { size 0 }`,
		`aigw_buffered { flush_interval -1s }`,
		`aigw_buffered { output aigw_buffered }`,
		`aigw_buffered { output nosuchwriter }`,
		`aigw_buffered { colour blue }`,
	} {
		var w Writer
		if err := w.UnmarshalCaddyfile(caddyfile.NewTestDispenser(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// module stands for a handler whose logger is routed to the buffered log.
type module struct{}

func (module) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.logbuffer_test", New: func() caddy.Module { return module{} }}
}

// TestCaddyReloadAndStopLoseNothing runs Caddy with a log that sends one
// logger's lines through aigw_buffered into a file (flush interval an hour,
// so that only a reload or stop can write them), reloads, and stops.
func TestCaddyReloadAndStopLoseNothing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "access.log")
	cfg := fmt.Sprintf(`{"admin":{"disabled":true},"logging":{"logs":{
		"access":{"writer":{"output":"aigw_buffered","flush_interval":3600000000000,"writer":{"output":"file","filename":%q}},
		          "include":["http.handlers.logbuffer_test.access"]},
		"default":{"exclude":["http.handlers.logbuffer_test.access"],"writer":{"output":"discard"}}}}}`, file)
	load := func() {
		t.Helper()
		if err := caddy.Load([]byte(cfg), true); err != nil {
			t.Fatal(err)
		}
	}
	logLines := func(from, to int) {
		l := caddy.ActiveContext().Logger(module{}).Named("access")
		for i := from; i < to; i++ {
			l.Info("request", zap.Int("n", i))
		}
	}
	read := func() string {
		b, err := os.ReadFile(file)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(b)
	}
	load()
	logLines(0, 50)
	if got := read(); got != "" {
		t.Fatalf("lines written before the buffer filled or the interval passed: %q", got)
	}
	load() // a reload to the same configuration keeps the writer and its lines
	logLines(50, 100)
	if err := caddy.Stop(); err != nil {
		t.Fatal(err)
	}
	got := read()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 100 {
		t.Fatalf("%d lines after stop, want 100:\n%s", len(lines), got)
	}
	for i, l := range lines {
		var e struct {
			Logger string `json:"logger"`
			N      int    `json:"n"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.N != i || e.Logger != "http.handlers.logbuffer_test.access" {
			t.Fatalf("line %d: %q (%v)", i, l, err)
		}
	}
}
