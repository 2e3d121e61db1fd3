package store_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/money"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
)

func TestKeyLimitsAndTenantOverrides(t *testing.T) {
	ctx := context.Background()
	s := store.New(testdb.New(t))
	tn, err := s.CreateTenant(ctx, "acme", "Acme Bank")
	if err != nil {
		t.Fatal(err)
	}
	key, rec, err := s.CreateKey(ctx, store.NewKey{TenantID: tn.ID, Name: "ci", RPM: 60, TPM: 9000, Concurrency: 3, BudgetUSD: "12.50"})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Limits{RPM: 60, TPM: 9000, Concurrency: 3, Budget: money.Pico(12_500_000_000_000), HasBudget: true}
	if got := rec.KeyLimits(); got != want {
		t.Errorf("key limits = %+v, want %+v", got, want)
	}
	if rec.TenantLimits.HasBudget || rec.TenantLimits.RPM != 0 {
		t.Errorf("tenant limits before any are set = %+v", rec.TenantLimits)
	}
	if err := s.SetTenantLimits(ctx, tn.ID, 100, 0, 5, "0"); err != nil {
		t.Fatal(err)
	}
	rec, _ = s.LookupKey(ctx, apikey.Sum(key))
	if tl := rec.TenantLimits; tl != (store.Limits{RPM: 100, Concurrency: 5, HasBudget: true}) {
		t.Errorf("tenant limits = %+v", tl)
	}
	if _, _, err := s.CreateKey(ctx, store.NewKey{TenantID: tn.ID, BudgetUSD: "lots"}); err == nil {
		t.Error("a budget of \"lots\" was accepted")
	}
	if _, _, err := s.CreateKey(ctx, store.NewKey{TenantID: tn.ID, AllowedModels: []string{"gpt-[4"}}); err == nil {
		t.Error("a malformed glob was accepted")
	}
}

func TestAllowsModel(t *testing.T) {
	k := store.KeyRecord{AllowedModels: []string{"gpt-4o*", "mock-*"}}
	for id, want := range map[string]bool{"gpt-4o": true, "gpt-4o-mini": true, "mock-gpt": true, "gpt-4.1": false, "claude": false} {
		if got := k.AllowsModel(id); got != want {
			t.Errorf("AllowsModel(%q) = %v, want %v", id, got, want)
		}
	}
	if !(&store.KeyRecord{}).AllowsModel("anything") {
		t.Error("a key without patterns must allow every model")
	}
}

func TestListAndRevokeByRefNotifies(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	s := store.New(pool)
	tn, _ := s.CreateTenant(ctx, "acme", "Acme Bank")
	other, _ := s.CreateTenant(ctx, "other", "Other Bank")
	key, rec, err := s.CreateKey(ctx, store.NewKey{TenantID: tn.ID, Name: "one"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateKey(ctx, store.NewKey{TenantID: other.ID, Name: "two"}); err != nil {
		t.Fatal(err)
	}
	all, err := s.ListKeys(ctx, "")
	if err != nil || len(all) != 2 {
		t.Fatalf("ListKeys(all) = %d keys, %v", len(all), err)
	}
	mine, _ := s.ListKeys(ctx, "acme")
	if len(mine) != 1 || mine[0].Prefix != apikey.Display(key) || mine[0].TenantSlug != "acme" {
		t.Fatalf("ListKeys(acme) = %+v", mine)
	}

	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN aigw_auth"); err != nil {
		t.Fatal(err)
	}
	got, err := s.RevokeKeyByRef(ctx, rec.Prefix)
	if err != nil || got.ID != rec.ID || got.RevokedAt.IsZero() {
		t.Fatalf("RevokeKeyByRef(prefix) = %+v, %v", got, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n, err := conn.Conn().WaitForNotification(wctx)
	h := apikey.Sum(key)
	if err != nil || n.Payload != "key:"+hex.EncodeToString(h[:]) {
		t.Fatalf("notification = %+v, %v", n, err)
	}
	if _, err := s.RevokeKeyByRef(ctx, rec.ID); err != nil {
		t.Errorf("revoking again by id: %v", err)
	}
	if _, err := s.RevokeKeyByRef(ctx, "sk-aigw-nope00"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown prefix: %v", err)
	}
	if err := s.SetTenantStatus(ctx, other.ID, "suspended"); err != nil {
		t.Fatal(err)
	}
	n, err = conn.Conn().WaitForNotification(wctx)
	if err != nil || n.Payload != "tenant:"+other.ID {
		t.Fatalf("tenant notification = %+v, %v", n, err)
	}
	tenants, err := s.ListTenants(ctx)
	if err != nil || len(tenants) != 2 || tenants[1].Status != "suspended" || tenants[0].Keys != 0 {
		t.Fatalf("ListTenants = %+v, %v", tenants, err)
	}
}

func TestMonthSpend(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	s := store.New(pool)
	tn, _ := s.CreateTenant(ctx, "acme", "Acme Bank")
	_, rec, err := s.CreateKey(ctx, store.NewKey{TenantID: tn.ID})
	if err != nil {
		t.Fatal(err)
	}
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, row := range []struct {
		at   time.Time
		cost string
	}{{nov.Add(time.Hour), "0.25"}, {nov.Add(48 * time.Hour), "0.000000000001"}, {nov.Add(-time.Hour), "5"}} {
		if _, err := pool.Exec(ctx, `INSERT INTO usage_logs (request_id, created_at, tenant_id, api_key_id, endpoint, cost_usd, status)
VALUES ($1, $2, $3, $4, 'chat', $5::numeric, 200)`, fmt.Sprint("r", i), row.at, tn.ID, rec.ID, row.cost); err != nil {
			t.Fatal(err)
		}
	}
	for kind, id := range map[string]string{"key": rec.ID, "tenant": tn.ID} {
		got, err := s.MonthSpend(ctx, kind, id, nov, nov.AddDate(0, 1, 0))
		if err != nil || got != money.Pico(250_000_000_001) {
			t.Errorf("MonthSpend(%s) = %d, %v; want 250000000001", kind, got, err)
		}
	}
	// Regression: least() skips NULL, so an empty sum once read as the cap.
	if got, err := s.MonthSpend(ctx, "user", rec.ID, nov, nov.AddDate(0, 1, 0)); err != nil || got != 0 {
		t.Errorf("MonthSpend with no rows = %d, %v; want 0", got, err)
	}
	if _, err := s.MonthSpend(ctx, "model", "x", nov, nov); err == nil {
		t.Error("unknown kind accepted")
	}
}
