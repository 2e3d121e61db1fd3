package meter

import (
	"testing"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/usage"
)

// BenchmarkObserve is the metrics' cost of one served request.
func BenchmarkObserve(b *testing.B) {
	now := time.Now()
	st := &state.Request{
		Start: now.Add(-30 * time.Millisecond), FirstByte: now.Add(-20 * time.Millisecond), Provider: "openai",
		Model: &catalog.Model{ID: "gpt-4o"}, Key: &store.KeyRecord{ID: "k", TenantSlug: "bank"},
	}
	o := &outcome{status: 200, endpoint: "/v1/chat/completions", end: now}
	bill := usage.Bill{Prompt: 80, Completion: 18}
	b.ReportAllocs()
	for b.Loop() {
		observe(st, o, bill, 0.0004, 0.0002)
	}
}
