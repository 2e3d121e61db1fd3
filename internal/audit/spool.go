package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Spool keeps audit events that the database could not take — it is down,
// slow, or the queue is full — in an append-only file until they can be
// appended, so an accepted event is not lost to an outage or a shutdown.
// Events are sanitized before they are written: no raw value reaches the disk.
// Delivery is at least once: a crash between a replayed batch's commit and the
// file's truncation appends that batch again on the next replay.
type Spool struct {
	path      string
	sanitizer Sanitizer
	now       func() time.Time

	mu   sync.Mutex
	size int64
}

// spools shares one Spool per file in the process: during a reload the old
// and the new config's queues must not append and truncate the same file
// behind each other's back.
var spools sync.Map // cleaned path -> *Spool

// OpenSpool opens (creating it and its folder if needed) the spool file at
// path; events already in it are replayed by the queue that uses it. Opening
// one path twice in a process returns the same Spool.
func OpenSpool(path string, s Sanitizer) (*Spool, error) {
	path = filepath.Clean(path)
	if sp, ok := spools.Load(path); ok {
		return sp.(*Spool), nil
	}
	sp, err := openSpool(path, s)
	if err != nil {
		return nil, err
	}
	actual, _ := spools.LoadOrStore(path, sp)
	return actual.(*Spool), nil
}

func openSpool(path string, s Sanitizer) (*Spool, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating audit spool folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening audit spool: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if s == nil {
		s = DefaultSanitizer{}
	}
	return &Spool{path: path, sanitizer: s, now: time.Now, size: fi.Size()}, nil
}

// Pending reports whether the spool holds events.
func (sp *Spool) Pending() bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.size > 0
}

// Append writes events, sanitized and time-stamped, and syncs the file.
func (sp *Spool) Append(events []Event) error {
	if len(events) == 0 {
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	now := sp.now()
	for i := range events {
		e := events[i]
		if err := e.prepare(sp.sanitizer, now); err != nil {
			return err
		}
		if err := enc.Encode(&e); err != nil {
			return fmt.Errorf("encoding audit event: %w", err)
		}
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	f, err := os.OpenFile(sp.path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening audit spool: %w", err)
	}
	n, werr := f.Write(buf.Bytes())
	sp.size += int64(n)
	serr := f.Sync()
	cerr := f.Close()
	for _, err := range []error{werr, serr, cerr} {
		if err != nil {
			return fmt.Errorf("writing audit spool: %w", err)
		}
	}
	return nil
}

// Drain appends the spooled events to store in order, in batches, and
// removes them from the file; on a failure the events not yet appended stay.
// A torn or corrupt line (a crash mid-write) is skipped.
func (sp *Spool) Drain(ctx context.Context, store *Store, batch int) (int, error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.size == 0 {
		return 0, nil
	}
	events, err := sp.readLocked()
	if err != nil {
		return 0, err
	}
	done := 0
	for done < len(events) {
		end := min(done+batch, len(events))
		if err := store.Append(ctx, events[done:end]...); err != nil {
			return done, sp.rewriteLocked(events[done:], err)
		}
		done = end
	}
	if err := os.Truncate(sp.path, 0); err != nil {
		return done, fmt.Errorf("emptying audit spool: %w", err)
	}
	sp.size = 0
	return done, nil
}

func (sp *Spool) readLocked() ([]Event, error) {
	f, err := os.Open(sp.path)
	if err != nil {
		return nil, fmt.Errorf("reading audit spool: %w", err)
	}
	defer f.Close()
	var out []Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		var e Event
		if dec.Decode(&e) == nil && e.Action != "" {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// rewriteLocked replaces the file with rest after a failed replay.
func (sp *Spool) rewriteLocked(rest []Event, cause error) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range rest {
		if err := enc.Encode(&rest[i]); err != nil {
			return err
		}
	}
	tmp := sp.path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("replaying audit spool: %w (and rewriting it: %v)", cause, err)
	}
	if err := os.Rename(tmp, sp.path); err != nil {
		return fmt.Errorf("replaying audit spool: %w (and rewriting it: %v)", cause, err)
	}
	sp.size = int64(buf.Len())
	return fmt.Errorf("replaying audit spool: %w", cause)
}
