package ratelimit

import "time"

// Kinds of counts a window keeps.
const (
	kindRequests = 0
	kindTokens   = 1
)

// counts are a number of requests and of tokens.
type counts [2]int64

// bucket is what one BucketWidth admitted.
type bucket struct {
	idx int64
	n   counts
}

// window is the in-process minute window of one scope: the buckets still
// counted that admitted anything, oldest first, and their sum.
type window struct {
	lo  int64 // the oldest bucket counted; older ones are forgotten
	sum counts
	b   []bucket
}

// roll forgets the buckets that left the window of bucket k. The window
// never moves back, so a clock stepping back keeps counting what it counted.
func (w *window) roll(k int64) {
	lo := k - Buckets
	if lo <= w.lo {
		return
	}
	w.lo = lo
	i := 0
	for i < len(w.b) && w.b[i].idx < lo {
		w.sum[kindRequests] -= w.b[i].n[kindRequests]
		w.sum[kindTokens] -= w.b[i].n[kindTokens]
		i++
	}
	if i > 0 {
		w.b = w.b[:copy(w.b, w.b[i:])]
	}
	if len(w.b) == 0 {
		w.b, w.sum = nil, counts{} // an idle scope holds no array
	}
}

// add counts n in bucket k (or in the newest bucket, should the clock have
// stepped back) and returns the bucket used.
func (w *window) add(k int64, n counts) int64 {
	w.sum[kindRequests] += n[kindRequests]
	w.sum[kindTokens] += n[kindTokens]
	if last := len(w.b) - 1; last >= 0 && w.b[last].idx >= k {
		w.b[last].n[kindRequests] += n[kindRequests]
		w.b[last].n[kindTokens] += n[kindTokens]
		return w.b[last].idx
	}
	if w.b == nil {
		w.b = make([]bucket, 0, 2)
	}
	w.b = append(w.b, bucket{idx: k, n: n})
	return k
}

// adjust changes the tokens counted in bucket idx by d (settling a
// reservation), never below zero; a bucket already forgotten is left alone.
func (w *window) adjust(idx, d int64) {
	for i := len(w.b) - 1; i >= 0 && w.b[i].idx >= idx; i-- {
		if w.b[i].idx == idx {
			d = max(d, -w.b[i].n[kindTokens])
			w.b[i].n[kindTokens] += d
			w.sum[kindTokens] += d
			return
		}
	}
}

// newest is the newest bucket counted, or lo when there is none.
func (w *window) newest() int64 {
	if len(w.b) == 0 {
		return w.lo
	}
	return w.b[len(w.b)-1].idx
}

// retryAfter returns how long after nowMs the window has room for need more
// of kind under limit: when enough of its oldest buckets have left it.
func (w *window) retryAfter(kind int, need, limit, nowMs int64) time.Duration {
	if need > limit {
		return Window // never fits: back off a whole window
	}
	left := w.sum[kind]
	for _, b := range w.b {
		if left+need <= limit {
			break
		}
		left -= b.n[kind]
		if left+need <= limit {
			return max(leaves(b.idx, nowMs), time.Millisecond)
		}
	}
	return time.Millisecond
}
