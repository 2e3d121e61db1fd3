package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
)

func TestSetActivePolicyKeepsOneActivePerTenant(t *testing.T) {
	ctx := context.Background()
	s := store.New(testdb.New(t))
	a, _ := s.CreateTenant(ctx, "a", "A")
	b, _ := s.CreateTenant(ctx, "b", "B")
	for _, p := range []store.TenantPolicy{
		{TenantID: a.ID, Name: "first", Template: "bfsi-standard"},
		{TenantID: a.ID, Name: "second", Template: "bfsi-strict", Rules: json.RawMessage(`{"toxicity":{"action":"flag"}}`), Terms: []string{"Falcon"}, Shadow: true},
		{TenantID: b.ID, Name: "first", Template: "permissive"},
		{TenantID: a.ID, Name: "second", Template: "bfsi-strict"}, // replacing bumps the version
	} {
		if err := s.SetActivePolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ActivePolicies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d active policies, want one per tenant: %+v", len(got), got)
	}
	for _, p := range got {
		switch p.TenantID {
		case a.ID:
			if p.Name != "second" || p.Template != "bfsi-strict" || p.Version != 2 || len(p.Terms) != 0 {
				t.Errorf("tenant a policy = %+v", p)
			}
		case b.ID:
			if p.Name != "first" || p.Template != "permissive" {
				t.Errorf("tenant b policy = %+v", p)
			}
		}
	}
}
