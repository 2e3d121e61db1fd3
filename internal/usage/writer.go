package usage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Options configure a Writer. Zero values take the defaults.
type Options struct {
	// SpoolDir is the directory of the spool file. Required.
	SpoolDir string
	// BufferSize bounds the records held in memory (default 65536). When the
	// buffer is full, Add spools the record to disk instead of waiting.
	BufferSize int
	// BatchSize is the most records written by one COPY (default 2000).
	BatchSize int
	// FlushInterval is the longest a record waits in the buffer before it is
	// written, when fewer than BatchSize wait (default 200ms).
	FlushInterval time.Duration
	// WriteTimeout bounds one batch write; a batch that takes longer is
	// spooled (default 5s).
	WriteTimeout time.Duration
	// RetryInterval is the first wait before replaying the spool after a
	// failed write; it doubles after each failure up to MaxRetryInterval
	// (defaults 500ms and 15s).
	RetryInterval, MaxRetryInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives write failures and recoveries (default: none).
	Logger *zap.Logger
}

func (o *Options) setDefaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.BufferSize, 65536)
	def(&o.BatchSize, 2000)
	defDur(&o.FlushInterval, 200*time.Millisecond)
	defDur(&o.WriteTimeout, 5*time.Second)
	defDur(&o.RetryInterval, 500*time.Millisecond)
	defDur(&o.MaxRetryInterval, 15*time.Second)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
}

// Stats are a Writer's counters since it started.
type Stats struct {
	// Buffered is the number of records waiting in memory.
	Buffered int
	// SpoolBytes is the size of the spool not yet replayed.
	SpoolBytes int64
	// Written counts records stored by direct writes and replays (a replayed
	// record already stored counts again: the database skips it).
	Written uint64
	// Spooled counts records written to the spool file.
	Spooled uint64
	// Lost counts records neither stored nor spooled (the spool failed while
	// the buffer was full); each loss is logged.
	Lost uint64
	// Failures counts failed batch writes.
	Failures uint64
}

// Writer buffers usage records and writes them off the caller's path. It is
// safe for concurrent use. Close flushes everything.
type Writer struct {
	sink  Sink
	spool *spool
	opts  Options
	log   *zap.Logger

	mu      sync.Mutex
	buf     []Record
	closed  bool
	limits  limits
	kick    chan struct{}
	flushes chan chan struct{}

	stop chan struct{}
	done chan struct{}

	retryAt  time.Time
	retryGap time.Duration

	written, spooled, lost, failures atomic.Uint64
}

// limits are the settings a reload may change on a running writer.
type limits struct{ buffer, batch int }

// NewWriter opens the spool and starts the writer's goroutine. Records left in
// the spool by a previous run are replayed first.
func NewWriter(sink Sink, opts Options) (*Writer, error) {
	if opts.SpoolDir == "" {
		return nil, errors.New("usage writer: a spool directory is required")
	}
	opts.setDefaults()
	sp, err := openSpool(opts.SpoolDir)
	if err != nil {
		return nil, err
	}
	w := &Writer{
		sink: sink, spool: sp, opts: opts, log: opts.Logger,
		limits:  limits{opts.BufferSize, opts.BatchSize},
		kick:    make(chan struct{}, 1),
		flushes: make(chan chan struct{}),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if n := sp.Pending(); n > 0 {
		w.log.Info("replaying usage spool left by a previous run", zap.String("path", sp.path), zap.Int64("bytes", n))
	}
	go w.loop()
	return w, nil
}

// SetLimits changes the buffer and batch sizes of a running writer (a
// reload's new settings); zero keeps the current value.
func (w *Writer) SetLimits(bufferSize, batchSize int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if bufferSize > 0 {
		w.limits.buffer = bufferSize
	}
	if batchSize > 0 {
		w.limits.batch = batchSize
	}
}

// Add queues r for writing. It never waits for the database: when the buffer
// is full the record is appended to the spool file. Add after Close spools
// the record too, so that a straggling request is not lost. A record that
// could never be stored (see Record.Validate) is refused.
func (w *Writer) Add(r Record) error {
	if err := r.Validate(); err != nil {
		return err
	}
	w.mu.Lock()
	if !w.closed && len(w.buf) < w.limits.buffer {
		w.buf = append(w.buf, r)
		full := len(w.buf) >= w.limits.batch
		w.mu.Unlock()
		if full {
			w.signal()
		}
		return nil
	}
	w.mu.Unlock()
	w.spoolOrLose([]Record{r})
	return nil
}

func (w *Writer) signal() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Flush writes (or spools) every record buffered so far and returns when it is
// done or ctx ends.
func (w *Writer) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case w.flushes <- ack:
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the writer after writing every buffered record: to the
// database when it answers (each batch within WriteTimeout), to the spool
// otherwise.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	return w.spool.Close()
}

// Stats returns the writer's counters.
func (w *Writer) Stats() Stats {
	w.mu.Lock()
	n := len(w.buf)
	w.mu.Unlock()
	return Stats{
		Buffered: n, SpoolBytes: w.spool.Pending(),
		Written: w.written.Load(), Spooled: w.spooled.Load(), Lost: w.lost.Load(), Failures: w.failures.Load(),
	}
}

func (w *Writer) loop() {
	defer close(w.done)
	t := time.NewTicker(w.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			w.drain()
			return
		case ack := <-w.flushes:
			w.cycle(true)
			close(ack)
		case <-w.kick:
			w.cycle(false)
		case <-t.C:
			w.cycle(false)
		}
		if err := w.spool.Sync(); err != nil {
			w.log.Error("usage spool sync failed", zap.Error(err))
		}
	}
}

// drain writes everything left at shutdown: the buffer, and one attempt at
// the spool; what the database does not take stays in the spool for the next
// start.
func (w *Writer) drain() {
	w.retryAt = time.Time{}
	w.cycle(true)
	for batch := w.take(); len(batch) > 0; batch = w.take() {
		w.spoolOrLose(batch) // rows put back by a failing spool: one last try
	}
}

// take removes up to one batch of records from the buffer.
func (w *Writer) take() []Record {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := min(len(w.buf), w.limits.batch)
	if n == 0 {
		return nil
	}
	batch := make([]Record, n)
	copy(batch, w.buf)
	// Advance past the batch rather than shifting the rest down: a deep
	// buffer (database down) would otherwise be moved once per batch. The
	// next append that outgrows the capacity copies only the live rows.
	clear(w.buf[:n])
	w.buf = w.buf[n:]
	return batch
}

// cycle writes buffered batches until the buffer holds less than a batch,
// or, when all is set, until the rows buffered when it started are written
// (rows added meanwhile may wait for the next cycle, so a flush under load
// ends). While the spool holds records, new batches join it, so rows reach
// the database in the order they were added.
func (w *Writer) cycle(all bool) {
	w.mu.Lock()
	target := len(w.buf)
	w.mu.Unlock()
	for taken := 0; ; {
		batch := w.take()
		taken += len(batch)
		if w.spool.Pending() > 0 {
			w.spoolOrRequeue(batch)
			if !w.opts.Now().Before(w.retryAt) {
				w.replay()
			}
		} else if len(batch) > 0 {
			if err := w.write(batch, false); err != nil {
				w.failed(err)
				w.spoolOrRequeue(batch)
			}
		}
		w.mu.Lock()
		more := len(w.buf) >= w.limits.batch
		if all {
			more = taken < target && len(w.buf) > 0
		}
		w.mu.Unlock()
		if !more || len(batch) == 0 {
			return
		}
	}
}

func (w *Writer) write(batch []Record, replay bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.WriteTimeout)
	defer cancel()
	if err := w.sink.Write(ctx, batch, replay); err != nil {
		return err
	}
	w.written.Add(uint64(len(batch)))
	return nil
}

// replay stores the spool's records in order, batch by batch, until it is
// drained or a write fails.
func (w *Writer) replay() {
	replayed := 0
	for {
		recs, span, corrupt, err := w.spool.next(w.opts.BatchSize)
		if corrupt > 0 {
			w.log.Error("skipped corrupt lines in the usage spool", zap.Int("lines", corrupt), zap.String("path", w.spool.path))
		}
		if err != nil {
			w.failed(err)
			return
		}
		if span == 0 {
			if replayed > 0 {
				w.log.Info("usage spool replayed", zap.Int("rows", replayed))
			}
			w.retryGap = 0
			return
		}
		if len(recs) == 0 {
			continue // only corrupt lines, already skipped
		}
		if err := w.write(recs, true); err != nil {
			w.failed(err)
			return
		}
		w.spool.advance(span)
		replayed += len(recs)
	}
}

// failed logs a failed write and schedules the next replay with backoff.
func (w *Writer) failed(err error) {
	w.failures.Add(1)
	w.retryGap = min(max(w.retryGap*2, w.opts.RetryInterval), w.opts.MaxRetryInterval)
	w.retryAt = w.opts.Now().Add(w.retryGap)
	w.log.Warn("usage write failed; rows go to the spool until the database answers",
		zap.Error(err), zap.Duration("retry_in", w.retryGap))
}

// spoolOrRequeue spools batch; if the spool fails the batch goes back to the
// front of the buffer as far as room allows.
func (w *Writer) spoolOrRequeue(batch []Record) {
	if len(batch) == 0 {
		return
	}
	err := w.spool.Append(batch, true)
	if err == nil {
		w.spooled.Add(uint64(len(batch)))
		return
	}
	w.mu.Lock()
	room := max(w.limits.buffer-len(w.buf), 0)
	keep := batch[:min(room, len(batch))]
	w.buf = append(append(make([]Record, 0, len(keep)+len(w.buf)), keep...), w.buf...)
	w.mu.Unlock()
	w.loseRecords(batch[len(keep):], err)
}

// spoolOrLose spools recs from a caller's goroutine (buffer full or writer
// closed). It does not wait for the disk: the loop syncs the spool at its
// next cycle (and at close).
func (w *Writer) spoolOrLose(recs []Record) {
	if err := w.spool.Append(recs, false); err != nil {
		w.loseRecords(recs, err)
		return
	}
	w.spooled.Add(uint64(len(recs)))
}

func (w *Writer) loseRecords(recs []Record, err error) {
	if len(recs) == 0 {
		return
	}
	w.lost.Add(uint64(len(recs)))
	ids := make([]string, 0, min(len(recs), 5))
	for _, r := range recs[:min(len(recs), 5)] {
		ids = append(ids, r.RequestID)
	}
	w.log.Error("usage rows lost: buffer full and spool failing", zap.Int("rows", len(recs)),
		zap.Strings("first_request_ids", ids), zap.Error(fmt.Errorf("spool: %w", err)))
}
