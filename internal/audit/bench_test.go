package audit

import (
	"context"
	"fmt"
	"testing"

	"github.com/aigw/aigw/internal/testdb"
)

// requestEvent is an api.request event as the meter records it.
func requestEvent(tenant string, i int) Event {
	return Event{
		TenantID: tenant, ActorType: ActorAPIKey, ActorID: "0b9e6c1e-6a3c-4a3e-9f1a-2c8d5e7f9a10",
		Action: "api.request", Outcome: OutcomeSuccess, ResourceType: "model", ResourceID: "gpt-4o",
		ClientIP: "203.0.113.7", RequestID: fmt.Sprintf("req_%024x", i),
		Details: map[string]any{"endpoint": "/v1/chat/completions", "status": 200, "cost_picousd": int64(6_500_000_000 + i)},
	}
}

// BenchmarkStoreAppend appends batches of api.request events as the audit
// queue does (one transaction per batch of queueBatch events).
func BenchmarkStoreAppend(b *testing.B) {
	pool := testdb.New(b)
	s := NewStore(pool)
	tenant := newTenant(b, pool, "bank-a")
	events := make([]Event, queueBatch)
	batch := make([]Event, queueBatch)
	for i := range events {
		events[i] = requestEvent(tenant, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(batch, events) // Append rewrites the events it is given
		if err := s.Append(context.Background(), batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*queueBatch), "ns/event")
}
