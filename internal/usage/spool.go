package usage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// SpoolFile is the name of the spool file inside the spool directory.
const SpoolFile = "usage.spool"

// spool is an append-only file of records, one JSON object per line, in the
// order they were spooled. Replay reads it from the front; once every line has
// been stored the file is truncated. A line torn by a crash (no final newline)
// is cut off when the spool is opened.
type spool struct {
	mu   sync.Mutex
	f    *os.File
	path string
	// size is the file's length; read is how much of it replay has stored.
	size, read int64
	// pending mirrors size - read for metrics, read without the lock.
	pending atomic.Int64
	closed  bool
	dirty   bool
}

func openSpool(dir string) (*spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating usage spool directory %q: %w", dir, err)
	}
	path := filepath.Join(dir, SpoolFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening usage spool %q: %w", path, err)
	}
	s := &spool{f: f, path: path}
	if err := s.cutTornTail(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// cutTornTail truncates the file after its last newline: a partial last line
// is a record whose write a crash interrupted.
func (s *spool) cutTornTail() error {
	st, err := s.f.Stat()
	if err != nil {
		return fmt.Errorf("reading usage spool %q: %w", s.path, err)
	}
	size := st.Size()
	if size == 0 {
		return nil
	}
	const window = 64 << 10
	end := size
	for end > 0 {
		start := max(end-window, 0)
		buf := make([]byte, end-start)
		if _, err := s.f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading usage spool %q: %w", s.path, err)
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			end = start + int64(i) + 1
			break
		}
		end = start
	}
	if end != size {
		if err := s.f.Truncate(end); err != nil {
			return fmt.Errorf("cutting torn tail of usage spool %q: %w", s.path, err)
		}
	}
	s.size = end
	s.pending.Store(end)
	return nil
}

// Pending returns the spooled bytes not yet replayed.
func (s *spool) Pending() int64 { return s.pending.Load() }

// Append writes recs at the end of the file in one write, and syncs it when
// sync is set (otherwise the file is marked dirty for the next Sync).
func (s *spool) Append(recs []Record, sync bool) error {
	if len(recs) == 0 {
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			return fmt.Errorf("encoding usage row %s: %w", recs[i].RequestID, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.appendClosed(buf.Bytes())
	}
	n, err := s.f.Write(buf.Bytes())
	s.size += int64(n)
	s.pending.Store(s.size - s.read)
	if err != nil {
		return fmt.Errorf("appending to usage spool %q: %w", s.path, err)
	}
	if !sync {
		s.dirty = true
		return nil
	}
	return s.syncLocked()
}

// Sync flushes appended records to disk if any are not yet synced.
func (s *spool) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dirty || s.closed {
		return nil
	}
	return s.syncLocked()
}

func (s *spool) syncLocked() error {
	s.dirty = false
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("syncing usage spool %q: %w", s.path, err)
	}
	return nil
}

// next reads up to n records after what has been replayed. It returns the
// records, the bytes they span (to pass to advance once stored) and the
// number of corrupt lines skipped. No records and no error means the spool
// is drained; it is then truncated, under the same lock, so that no append
// can slip in between the last read and the truncation.
func (s *spool) next(n int) (recs []Record, span int64, corrupt int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.read >= s.size {
		if s.size > 0 {
			if err := s.f.Truncate(0); err != nil {
				return nil, 0, 0, fmt.Errorf("truncating usage spool %q: %w", s.path, err)
			}
			s.size, s.read = 0, 0
			s.pending.Store(0)
		}
		return nil, 0, 0, nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(s.f, s.read, s.size-s.read), 64<<10)
	for len(recs) < n {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			span += int64(len(line))
			var rec Record
			if json.Unmarshal(line, &rec) != nil {
				corrupt++
				continue
			}
			recs = append(recs, rec)
		}
		if err != nil {
			break
		}
	}
	if len(recs) == 0 && span > 0 { // only corrupt lines: skip them
		s.read += span
		s.pending.Store(s.size - s.read)
	}
	return recs, span, corrupt, nil
}

// advance marks span more bytes as stored.
func (s *spool) advance(span int64) {
	s.mu.Lock()
	s.read += span
	s.pending.Store(s.size - s.read)
	s.mu.Unlock()
}

// appendClosed appends to the file of a closed spool (a request that ended
// after its writer closed); the next writer replays it.
func (s *spool) appendClosed(b []byte) error {
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("reopening usage spool %q: %w", s.path, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("appending to usage spool %q: %w", s.path, err)
	}
	return nil
}

func (s *spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.f.Sync(); err != nil {
		s.f.Close()
		return fmt.Errorf("syncing usage spool %q: %w", s.path, err)
	}
	return s.f.Close()
}
