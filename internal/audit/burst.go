package audit

import (
	"sync"
	"time"
)

// BurstDetector spots one key (an API key, a client address) drawing many
// refusals in a short window — a client hammering past its rate limit, or
// trying keys — so that a single security event is raised per key and
// window, not one per refusal. It is safe for concurrent use.
type BurstDetector struct {
	threshold int
	// Window is the length of a counting window.
	Window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	seen map[string]*burst
}

type burst struct {
	start    time.Time
	n        int
	reported bool
}

// maxTracked bounds the keys tracked at once; beyond it expired windows are
// pruned, and if none has expired the oldest tracking is reset.
const maxTracked = 10_000

// NewBurstDetector reports a key once it draws threshold refusals within window.
func NewBurstDetector(threshold int, window time.Duration, now func() time.Time) *BurstDetector {
	return &BurstDetector{threshold: threshold, Window: window, now: now, seen: map[string]*burst{}}
}

// Hit counts a refusal for key and reports the count in the current window
// and whether this refusal crossed the threshold (true once per window).
func (d *BurstDetector) Hit(key string) (int, bool) {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.seen[key]
	if b == nil || now.Sub(b.start) >= d.Window {
		if b == nil && len(d.seen) >= maxTracked {
			d.prune(now)
		}
		b = &burst{start: now}
		d.seen[key] = b
	}
	b.n++
	if b.n >= d.threshold && !b.reported {
		b.reported = true
		return b.n, true
	}
	return b.n, false
}

func (d *BurstDetector) prune(now time.Time) {
	for k, b := range d.seen {
		if now.Sub(b.start) >= d.Window {
			delete(d.seen, k)
		}
	}
	if len(d.seen) >= maxTracked {
		clear(d.seen)
	}
}
