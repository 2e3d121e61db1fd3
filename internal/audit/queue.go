package audit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Queue appends events in the background, in batches, so that a request never
// waits for the audit store. It is bounded. With a Spool, events that cannot
// be appended (the database down, the queue full, a shutdown) go to disk and
// are replayed first when the database answers again; without one, Add drops
// events when full and a failed shutdown loses what is queued, counting and
// logging it (at most once a second).
type Queue struct {
	store   *Store
	spool   *Spool
	log     *zap.Logger
	ch      chan Event
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	dropped atomic.Uint64
	lastLog atomic.Int64
	scratch []Event // the loop's copy of a batch being appended
}

// queueBatch is the most events appended in one transaction.
const queueBatch = 500

// NewQueue starts a queue of at most size events in front of store.
func NewQueue(store *Store, size int, log *zap.Logger) *Queue {
	return NewSpooledQueue(store, size, nil, log)
}

// NewSpooledQueue is NewQueue with a spool for what the store cannot take
// (nil: none). Events already in the spool are appended first.
func NewSpooledQueue(store *Store, size int, spool *Spool, log *zap.Logger) *Queue {
	if size <= 0 {
		size = 10_000
	}
	if log == nil {
		log = zap.NewNop()
	}
	q := &Queue{store: store, spool: spool, log: log, ch: make(chan Event, size), stop: make(chan struct{}), done: make(chan struct{})}
	go q.loop()
	return q
}

// Add queues e; it reports false when the queue is full or closed.
func (q *Queue) Add(e Event) bool {
	select {
	case <-q.stop:
		return false
	default:
	}
	select {
	case q.ch <- e:
		return true
	default:
	}
	if q.spool != nil && q.spool.Append([]Event{e}) == nil {
		return true
	}
	n := q.dropped.Add(1)
	if now := time.Now().Unix(); q.lastLog.Swap(now) != now {
		q.log.Error("audit queue full: events dropped", zap.Uint64("dropped_total", n), zap.String("action", e.Action))
	}
	return false
}

// Dropped returns how many events Add refused.
func (q *Queue) Dropped() uint64 { return q.dropped.Load() }

// Len returns the number of queued events.
func (q *Queue) Len() int { return len(q.ch) }

// Close appends what is queued (trying for at most timeout) and stops.
func (q *Queue) Close(timeout time.Duration) {
	q.once.Do(func() { close(q.stop) })
	select {
	case <-q.done:
	case <-time.After(timeout + time.Second):
	}
}

func (q *Queue) loop() {
	defer close(q.done)
	var batch []Event
	backoff := time.Duration(0)
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		// With events spooled, go on to replay them (linger and the retry
		// backoff pace the attempts); otherwise wait for an event.
		if len(batch) == 0 && (q.spool == nil || !q.spool.Pending()) {
			select {
			case e := <-q.ch:
				batch = append(batch, e)
			case <-q.stop:
				q.final(nil)
				return
			}
		}
		batch = q.linger(batch)
		if err := q.appendSpooledFirst(batch); err != nil {
			backoff = min(max(backoff*2, 200*time.Millisecond), 10*time.Second)
			if q.spooled(batch, err) {
				batch = batch[:0]
			}
			q.log.Warn("audit append failed; retrying", zap.Int("events_held", len(batch)), zap.Duration("retry_in", backoff), zap.Error(err))
			t.Reset(backoff)
			select {
			case <-t.C:
				continue
			case <-q.stop:
				q.final(batch)
				return
			}
		}
		backoff, batch = 0, batch[:0]
		select {
		case <-q.stop:
			q.final(nil)
			return
		default:
		}
	}
}

// queueLinger is how long the queue waits for more events before appending
// a batch that is not full: one transaction per batch is what the database
// pays for, so a steady trickle of events is written a few times a second.
const queueLinger = 250 * time.Millisecond

// linger fills batch, waiting up to queueLinger for it to fill (less when
// the queue is closing).
func (q *Queue) linger(batch []Event) []Event {
	t := time.NewTimer(queueLinger)
	defer t.Stop()
	for len(batch) < queueBatch {
		select {
		case e := <-q.ch:
			batch = append(batch, e)
		case <-t.C:
			return batch
		case <-q.stop:
			return q.fill(batch)
		}
	}
	return batch
}

// fill adds queued events to batch without waiting, up to queueBatch.
func (q *Queue) fill(batch []Event) []Event {
	for len(batch) < queueBatch {
		select {
		case e := <-q.ch:
			batch = append(batch, e)
		default:
			return batch
		}
	}
	return batch
}

// final makes one last attempt at batch and everything still queued; what
// the store will not take goes to the spool.
func (q *Queue) final(batch []Event) {
	for {
		batch = q.fill(batch)
		if len(batch) == 0 {
			return
		}
		if err := q.appendSpooledFirst(batch); err != nil {
			if q.spooled(batch, err) {
				batch = batch[:0]
				continue
			}
			q.log.Error("audit events lost at shutdown", zap.Int("events", len(batch)+len(q.ch)), zap.Error(err))
			return
		}
		batch = batch[:0]
	}
}

// appendSpooledFirst replays the spool, then appends batch: events reach the
// store in the order they were accepted.
func (q *Queue) appendSpooledFirst(batch []Event) error {
	if q.spool != nil && q.spool.Pending() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		n, err := q.spool.Drain(ctx, q.store, queueBatch)
		cancel()
		if n > 0 {
			q.log.Info("replayed spooled audit events", zap.Int("events", n))
		}
		if err != nil {
			return err
		}
	}
	if len(batch) == 0 {
		return nil
	}
	return q.append(batch, 5*time.Second)
}

// spooled writes a batch the store refused to the spool; it reports whether
// the batch is now safe there.
func (q *Queue) spooled(batch []Event, cause error) bool {
	if q.spool == nil || len(batch) == 0 {
		return false
	}
	if err := q.spool.Append(batch); err != nil {
		q.log.Error("audit spool failed", zap.Error(err), zap.NamedError("append_error", cause))
		return false
	}
	q.log.Warn("audit store unavailable; events spooled", zap.Int("events", len(batch)), zap.Error(cause))
	return true
}

func (q *Queue) append(batch []Event, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// Append rewrites events in place (sanitizing): give it a copy so a
	// retried batch is sanitized from the original once more, harmlessly.
	// Only the loop appends: the copy's array serves every batch.
	q.scratch = append(q.scratch[:0], batch...)
	err := q.store.Append(ctx, q.scratch...)
	clear(q.scratch) // let the events' strings and details go
	return err
}
