package route

import (
	"testing"
	"time"

	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/money"
)

func models(ids ...string) []*catalog.Model {
	out := make([]*catalog.Model, len(ids))
	for i, id := range ids {
		out[i] = &catalog.Model{ID: id}
	}
	return out
}

func ids(ms []*catalog.Model) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func key(m *catalog.Model) string { return m.ID }

func TestBalancerOrder(t *testing.T) {
	ms := models("a", "b", "c")
	ms[0].InputRate, ms[1].InputRate, ms[2].InputRate = money.Rate(30), money.Rate(10), money.Rate(20)
	b := newBalancer()
	b.get("a").ttft.Store(int64(300 * time.Millisecond))
	b.get("b").ttft.Store(int64(100 * time.Millisecond))
	// c never measured: tried first under lowest-latency.
	tests := []struct {
		name     string
		strategy string
		weights  []int
		pick     int // what the random source returns
		want     []string
	}{
		{"priority keeps the listed order", catalog.StrategyPriority, []int{1, 1, 1}, 0, []string{"a", "b", "c"}},
		{"lowest cost", catalog.StrategyLowestCost, []int{1, 1, 1}, 0, []string{"b", "c", "a"}},
		{"lowest latency, unmeasured first", catalog.StrategyLowestLatency, []int{1, 1, 1}, 0, []string{"c", "b", "a"}},
		{"weighted: pick in the first share", catalog.StrategyWeighted, []int{1, 3, 6}, 0, []string{"a", "c", "b"}},
		{"weighted: pick in the last share", catalog.StrategyWeighted, []int{1, 3, 6}, 9, []string{"c", "b", "a"}},
		{"weighted: zero weight never first", catalog.StrategyWeighted, []int{0, 1, 0}, 0, []string{"b", "a", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &catalog.Route{Strategy: tt.strategy}
			for i, m := range ms {
				rt.Deployments = append(rt.Deployments, catalog.Deployment{Model: m, Weight: tt.weights[i]})
			}
			b.intn = func(n int) int { return tt.pick % n }
			got := ids(b.order(rt, key, nil))
			if len(got) != len(tt.want) {
				t.Fatalf("order = %v", got)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("order = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestWeightedShares(t *testing.T) {
	ms := models("a", "b")
	rt := &catalog.Route{Strategy: catalog.StrategyWeighted, Deployments: []catalog.Deployment{{Model: ms[0], Weight: 1}, {Model: ms[1], Weight: 3}}}
	b := newBalancer()
	first := map[string]int{}
	for i := 0; i < 4000; i++ {
		first[b.order(rt, key, nil)[0].ID]++
	}
	if share := float64(first["b"]) / 4000; share < 0.7 || share > 0.8 {
		t.Errorf("b went first %.2f of the time, want about 0.75", share)
	}
}

func TestCooldown(t *testing.T) {
	now := time.Unix(1000, 0)
	b := newBalancer()
	b.now = func() time.Time { return now }
	pol := catalog.Policy{Cooldown: 10 * time.Second, CooldownFailures: 3}
	for i := 1; i <= 2; i++ {
		if b.failure("d", pol, 0) || b.coolingFor("d") != 0 {
			t.Fatalf("cooling down after %d failures", i)
		}
	}
	if !b.failure("d", pol, 0) || b.coolingFor("d") != 10*time.Second {
		t.Fatalf("not cooling down after 3 failures: %v", b.coolingFor("d"))
	}
	now = now.Add(11 * time.Second)
	if b.coolingFor("d") != 0 {
		t.Error("still cooling down after the cool-down")
	}
	// Rate limits count as failures: a cool-down only after repeated ones,
	// for as long as the provider asked, shorter or longer than the policy's.
	for _, ra := range []time.Duration{2 * time.Second, 30 * time.Second} {
		key := "r" + ra.String()
		if b.failure(key, pol, ra) || b.failure(key, pol, ra) || b.coolingFor(key) != 0 {
			t.Errorf("Retry-After %v: one or two rate limits cooled the deployment down", ra)
		}
		if !b.failure(key, pol, ra) || b.coolingFor(key) != ra {
			t.Errorf("Retry-After %v: cooling for %v after three", ra, b.coolingFor(key))
		}
	}
	b.failure("s", pol, 0)
	b.success("s", time.Second)
	b.failure("s", pol, 0)
	b.failure("s", pol, 0)
	if b.coolingFor("s") != 0 {
		t.Error("a success must reset the failure count")
	}
	if b.failure("x", catalog.Policy{CooldownFailures: 1}, time.Minute) {
		t.Error("cooldown 0s must disable cool-downs")
	}
}

func TestTTFTMovingAverage(t *testing.T) {
	b := newBalancer()
	b.success("d", 100*time.Millisecond)
	b.success("d", 200*time.Millisecond)
	if got := time.Duration(b.get("d").ttft.Load()); got != 130*time.Millisecond {
		t.Errorf("moving average = %v, want 130ms", got)
	}
}

func TestBackoffJitterBounds(t *testing.T) {
	b := newBalancer()
	pol := catalog.Policy{Backoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond}
	for try, window := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 300 * time.Millisecond, 9: 300 * time.Millisecond} {
		for i := 0; i < 200; i++ {
			d := b.backoff(pol, try)
			if d < window/2 || d >= window*3/2 {
				t.Fatalf("try %d: backoff %v outside [%v, %v)", try, d, window/2, window*3/2)
			}
		}
	}
}
