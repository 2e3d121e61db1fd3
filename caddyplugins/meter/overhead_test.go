package meter

import (
	"testing"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
)

// TestOverheadLeavesOutProviderTime checks that the gateway's overhead is the
// elapsed time minus the span from the first provider call to the last
// answer's header, as the router records them.
func TestOverheadLeavesOutProviderTime(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	h := &Handler{}
	for _, tt := range []struct {
		name             string
		called, answered time.Time
		now              time.Time
		want             time.Duration
	}{
		{"no provider call", time.Time{}, time.Time{}, at(7), 7 * time.Millisecond},
		{"answered", at(10), at(510), at(520), 20 * time.Millisecond},
		{"retried, last answer counts", at(10), at(900), at(905), 15 * time.Millisecond},
		{"still waiting", at(10), time.Time{}, at(300), 10 * time.Millisecond},
	} {
		st := &state.Request{Start: t0, ProviderCalled: tt.called, ProviderAnswered: tt.answered}
		if got := h.overhead(st, tt.now); got != tt.want {
			t.Errorf("%s: overhead %v, want %v", tt.name, got, tt.want)
		}
	}
}
