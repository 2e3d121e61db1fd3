package route

import (
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aigw/aigw/internal/catalog"
)

// depHealth is what the node knows of one deployment: consecutive failures,
// the end of its cool-down and its moving average time to first token.
type depHealth struct {
	failures  atomic.Int32
	coolUntil atomic.Int64 // unix nanoseconds; 0 when not cooling down
	ttft      atomic.Int64 // nanoseconds; 0 when never measured
}

// ttftWeight is the weight of the newest sample in the moving average.
const ttftWeight = 0.3

// balancer orders a route's deployments by its strategy and tracks their
// health. One balancer serves every handler of the process (nodeBalancer),
// so a cool-down holds for all requests on the node and survives reloads.
type balancer struct {
	now    func() time.Time
	intn   func(n int) int
	mu     sync.RWMutex
	health map[string]*depHealth
	// sinks are told of every cool-down this node starts, to share it
	// through Redis.
	sinks  map[*sharedCooldowns]bool
	sinkMu sync.RWMutex
}

func newBalancer() *balancer {
	return &balancer{now: time.Now, intn: rand.IntN, health: map[string]*depHealth{}, sinks: map[*sharedCooldowns]bool{}}
}

// nodeBalancer is shared by every aigw_route handler of the process.
var nodeBalancer = newBalancer()

func (b *balancer) get(key string) *depHealth {
	b.mu.RLock()
	h := b.health[key]
	b.mu.RUnlock()
	if h != nil {
		return h
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if h = b.health[key]; h == nil {
		h = &depHealth{}
		b.health[key] = h
	}
	return h
}

// coolingFor returns how long the deployment stays in cool-down (0: it does not).
func (b *balancer) coolingFor(key string) time.Duration {
	until := b.get(key).coolUntil.Load()
	if until == 0 {
		return 0
	}
	if d := time.Duration(until - b.now().UnixNano()); d > 0 {
		return d
	}
	return 0
}

// success records a good call and its time to first token.
func (b *balancer) success(key string, ttft time.Duration) {
	h := b.get(key)
	h.failures.Store(0)
	h.coolUntil.Store(0)
	if ttft <= 0 {
		return
	}
	for {
		old := h.ttft.Load()
		next := int64(ttft)
		if old != 0 {
			next = int64(ttftWeight*float64(ttft) + (1-ttftWeight)*float64(old))
		}
		if h.ttft.CompareAndSwap(old, next) {
			return
		}
	}
}

// failure records a retryable failure, rate limits included; it starts a
// cool-down after p.CooldownFailures in a row, for as long as the provider
// asked (its Retry-After) or else the policy's cool-down. It reports whether
// the deployment is now cooling down.
func (b *balancer) failure(key string, p catalog.Policy, retryAfter time.Duration) bool {
	if p.Cooldown <= 0 {
		return false
	}
	h := b.get(key)
	if int(h.failures.Add(1)) < p.CooldownFailures {
		return false
	}
	d := p.Cooldown
	if retryAfter > 0 {
		d = retryAfter
	}
	until := b.now().Add(d)
	h.coolUntil.Store(until.UnixNano())
	h.failures.Store(0)
	b.sinkMu.RLock()
	for s := range b.sinks {
		s.publish(key, until)
	}
	b.sinkMu.RUnlock()
	return true
}

// coolRemote applies a cool-down learnt from another node.
func (b *balancer) coolRemote(key string, until time.Time) {
	h := b.get(key)
	for {
		old := h.coolUntil.Load()
		if old >= until.UnixNano() {
			return
		}
		if h.coolUntil.CompareAndSwap(old, until.UnixNano()) {
			return
		}
	}
}

// order returns the route's deployments in the order to try them, per its
// strategy, appended to buf.
func (b *balancer) order(rt *catalog.Route, keys func(*catalog.Model) string, buf []*catalog.Model) []*catalog.Model {
	start := len(buf)
	for _, d := range rt.Deployments {
		buf = append(buf, d.Model)
	}
	out := buf[start:]
	if len(out) < 2 {
		return buf
	}
	switch rt.Strategy {
	case catalog.StrategyWeighted:
		b.weighted(rt, out)
	case catalog.StrategyLowestLatency:
		lat := make(map[*catalog.Model]int64, len(out))
		for _, m := range out {
			lat[m] = b.get(keys(m)).ttft.Load()
		}
		sort.SliceStable(out, func(i, j int) bool { return lat[out[i]] < lat[out[j]] })
	case catalog.StrategyLowestCost:
		sort.SliceStable(out, func(i, j int) bool {
			return out[i].InputRate+out[i].OutputRate < out[j].InputRate+out[j].OutputRate
		})
	}
	return buf
}

// weighted moves a deployment picked at random by weight to the front; the
// rest follow by weight, heaviest first.
func (b *balancer) weighted(rt *catalog.Route, out []*catalog.Model) {
	weight := func(m *catalog.Model) int {
		for _, d := range rt.Deployments {
			if d.Model == m {
				return d.Weight
			}
		}
		return 0
	}
	total := 0
	for _, m := range out {
		total += weight(m)
	}
	if total > 0 {
		n := b.intn(total)
		for i, m := range out {
			if n -= weight(m); n < 0 {
				out[0], out[i] = out[i], out[0]
				break
			}
		}
	}
	rest := out[1:]
	sort.SliceStable(rest, func(i, j int) bool { return weight(rest[i]) > weight(rest[j]) })
}

// backoff returns the delay before retry number try (1 for the first retry):
// a window that doubles from p.Backoff up to p.MaxBackoff, jittered to
// between half and one and a half times it so that retries spread out.
func (b *balancer) backoff(p catalog.Policy, try int) time.Duration {
	window := p.Backoff << (try - 1)
	if window > p.MaxBackoff || window <= 0 {
		window = p.MaxBackoff
	}
	if window <= 0 {
		return 0
	}
	return time.Duration(b.intn(int(window))) + window/2
}
