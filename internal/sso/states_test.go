package sso

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/aigw/aigw/internal/testdb"
)

// stateStores returns a memory store and a Redis store (on make test's
// Redis, under a prefix of this test's own) on one clock.
func stateStores(t *testing.T, clock *testClock) map[string]StateStore {
	t.Helper()
	opt, err := redis.ParseURL(testdb.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(opt)
	t.Cleanup(func() { rc.Close() })
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	prefix := "aigw-test:sso:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rc.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rc.Del(ctx, keys...)
		}
	})
	return map[string]StateStore{"memory": NewMemoryStates(0, clock.Now), "redis": NewRedisStates(rc, prefix, clock.Now)}
}

func TestStatesAreSingleUse(t *testing.T) {
	clock := ssotestClock()
	for name, st := range stateStores(t, clock) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := Flow{TenantID: "t1", Nonce: "n", Verifier: "v", Binding: "b", ReturnTo: "/x", ExpiresAt: clock.Now().Add(StateTTL).UTC().Truncate(time.Second)}
			if err := st.Save(ctx, "state-1", f); err != nil {
				t.Fatal(err)
			}
			got, err := st.Take(ctx, "state-1")
			if err != nil || *got != f {
				t.Fatalf("first take: %+v, %v", got, err)
			}
			again, err := st.Take(ctx, "state-1")
			if !errors.Is(err, ErrStateUsed) || again == nil || again.TenantID != "t1" {
				t.Errorf("second take: %+v, %v", again, err)
			}
			if _, err := st.Take(ctx, "state-2"); !errors.Is(err, ErrStateUnknown) {
				t.Errorf("unknown state: %v", err)
			}
		})
	}
}

func TestConcurrentTakesLetOneWin(t *testing.T) {
	clock := ssotestClock()
	for name, st := range stateStores(t, clock) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st.Save(ctx, "race", Flow{TenantID: "t", ExpiresAt: clock.Now().Add(StateTTL)}) //nolint:errcheck
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			for i := 0; i < 16; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := st.Take(ctx, "race"); err == nil {
						mu.Lock()
						wins++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if wins != 1 {
				t.Errorf("%d takes won, want 1", wins)
			}
		})
	}
}

func TestExpiredFlowsAreReturnedForTheCallerToRefuseThenForgotten(t *testing.T) {
	clock := ssotestClock()
	for name, st := range stateStores(t, clock) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := Flow{TenantID: "t", ExpiresAt: clock.Now().Add(StateTTL)}
			st.Save(ctx, "late", f) //nolint:errcheck
			st.Save(ctx, "gone", f) //nolint:errcheck
			clock.Add(StateTTL + time.Minute)
			got, err := st.Take(ctx, "late")
			if err != nil || !clock.Now().After(got.ExpiresAt) {
				t.Errorf("an expired flow: %+v %v (the caller tells it is expired)", got, err)
			}
			if name == "memory" { // Redis forgets by its own clock (TTL), checked below
				clock.Add(retention)
				if _, err := st.Take(ctx, "gone"); !errors.Is(err, ErrStateUnknown) {
					t.Errorf("past retention: %v", err)
				}
			}
		})
	}
}

func TestRedisStatesExpireByTTL(t *testing.T) {
	clock := ssotestClock()
	st := stateStores(t, clock)["redis"].(*RedisStates)
	ctx := context.Background()
	// A flow that ended retention-1s ago has one second left in Redis.
	st.Save(ctx, "short", Flow{ExpiresAt: clock.Now().Add(-retention + time.Second)}) //nolint:errcheck
	ttl, err := st.client.TTL(ctx, st.prefix+stateKey("short")).Result()
	if err != nil || ttl <= 0 || ttl > time.Second {
		t.Fatalf("TTL %v, %v", ttl, err)
	}
	if keys, _ := st.client.Keys(ctx, st.prefix+"*").Result(); len(keys) != 1 || keys[0] == st.prefix+"short" {
		t.Errorf("keys %v: the state must be stored hashed", keys)
	}
}

func TestMemoryStatesAreBounded(t *testing.T) {
	clock := ssotestClock()
	st := NewMemoryStates(2, clock.Now)
	ctx := context.Background()
	f := Flow{ExpiresAt: clock.Now().Add(StateTTL)}
	st.Save(ctx, "a", f) //nolint:errcheck
	st.Save(ctx, "b", f) //nolint:errcheck
	if err := st.Save(ctx, "c", f); !errors.Is(err, ErrTooManyFlows) {
		t.Errorf("third flow in a store of two: %v", err)
	}
	clock.Add(StateTTL + retention + time.Second)
	if err := st.Save(ctx, "c", Flow{ExpiresAt: clock.Now().Add(StateTTL)}); err != nil {
		t.Errorf("after the others' retention: %v", err)
	}
}
