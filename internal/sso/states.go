package sso

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// StateTTL is how long a sign-in may take between its start and the
// provider's callback.
const StateTTL = 10 * time.Minute

// retention is how long a flow is remembered past its end, so that a late
// or replayed callback is told "expired" or "already used" rather than
// "unknown", and audited on the tenant's chain.
const retention = 10 * time.Minute

// Errors of StateStore.Take.
var (
	// ErrStateUnknown: no flow has this state (forged, or long gone).
	ErrStateUnknown = errors.New("sso: unknown state")
	// ErrStateUsed: the flow was already finished (or attempted) once.
	ErrStateUsed = errors.New("sso: state already used")
	// ErrTooManyFlows: the in-process store is full.
	ErrTooManyFlows = errors.New("sso: too many sign-ins in progress")
)

// StateStore keeps flows between their start and their callback. Take is
// single use: the first Take of a state gets its flow, every later one
// ErrStateUsed (with the flow, so the refusal can be audited on its
// tenant's chain). Expiry is the caller's to check (Flow.ExpiresAt), so
// that an expired flow is refused as expired.
type StateStore interface {
	// Save keeps f under state until f.ExpiresAt (and a while after).
	Save(ctx context.Context, state string, f Flow) error
	// Take returns the flow saved under state and marks it used.
	Take(ctx context.Context, state string) (*Flow, error)
}

// stateKey is the key a state is kept under: its hash, so the store never
// holds a live state in clear.
func stateKey(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

// MemoryStates is a StateStore in process: a single node, or tests. It
// holds at most Max flows, forgetting those past their retention first.
type MemoryStates struct {
	mu    sync.Mutex
	flows map[string]*memFlow
	max   int
	now   func() time.Time
}

type memFlow struct {
	flow Flow
	used bool
}

// NewMemoryStates returns an in-process store of at most max flows
// (default 10,000) on clock now (default time.Now).
func NewMemoryStates(max int, now func() time.Time) *MemoryStates {
	if max <= 0 {
		max = 10_000
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryStates{flows: map[string]*memFlow{}, max: max, now: now}
}

// Save implements StateStore.
func (m *MemoryStates) Save(_ context.Context, state string, f Flow) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.flows) >= m.max {
		now := m.now()
		for k, e := range m.flows {
			if now.After(e.flow.ExpiresAt.Add(retention)) {
				delete(m.flows, k)
			}
		}
		if len(m.flows) >= m.max {
			return ErrTooManyFlows
		}
	}
	m.flows[stateKey(state)] = &memFlow{flow: f}
	return nil
}

// Take implements StateStore.
func (m *MemoryStates) Take(_ context.Context, state string) (*Flow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.flows[stateKey(state)]
	if !ok || m.now().After(e.flow.ExpiresAt.Add(retention)) {
		return nil, ErrStateUnknown
	}
	f := e.flow
	if e.used {
		return &f, ErrStateUsed
	}
	e.used = true
	return &f, nil
}

// RedisStates is a StateStore in Redis, so that any admin API node can
// finish a flow another started. Take is one atomic script: a state is
// used once across every node.
type RedisStates struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
}

// NewRedisStates returns a store in client under keys prefix+"<hash>"
// (default prefix "aigw:sso:state:") on clock now (default time.Now).
func NewRedisStates(client redis.UniversalClient, prefix string, now func() time.Time) *RedisStates {
	if prefix == "" {
		prefix = "aigw:sso:state:"
	}
	if now == nil {
		now = time.Now
	}
	return &RedisStates{client: client, prefix: prefix, now: now}
}

// Values are "f" (fresh) or "u" (used) followed by the flow's JSON.
var takeScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
if string.sub(v, 1, 1) == 'f' then
  redis.call('SET', KEYS[1], 'u' .. string.sub(v, 2), 'KEEPTTL')
end
return v`)

// Save implements StateStore.
func (r *RedisStates) Save(ctx context.Context, state string, f Flow) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encoding sign-in flow: %w", err)
	}
	ttl := f.ExpiresAt.Sub(r.now()) + retention
	if err := r.client.Set(ctx, r.prefix+stateKey(state), append([]byte("f"), b...), ttl).Err(); err != nil {
		return fmt.Errorf("saving sign-in flow in Redis: %w", err)
	}
	return nil
}

// Take implements StateStore.
func (r *RedisStates) Take(ctx context.Context, state string) (*Flow, error) {
	v, err := takeScript.Run(ctx, r.client, []string{r.prefix + stateKey(state)}).Text()
	if errors.Is(err, redis.Nil) {
		return nil, ErrStateUnknown
	}
	if err != nil {
		return nil, fmt.Errorf("taking sign-in flow from Redis: %w", err)
	}
	if len(v) < 2 {
		return nil, ErrStateUnknown
	}
	var f Flow
	if err := json.Unmarshal([]byte(v[1:]), &f); err != nil {
		return nil, fmt.Errorf("decoding sign-in flow from Redis: %w", err)
	}
	if v[0] == 'u' {
		return &f, ErrStateUsed
	}
	return &f, nil
}
