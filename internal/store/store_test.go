package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
)

func TestSeedDemoOnlyOnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	s := store.New(testdb.New(t))
	d, err := s.SeedDemo(ctx)
	if err != nil || d == nil {
		t.Fatalf("first SeedDemo = %v, %v", d, err)
	}
	if !apikey.WellFormed(d.APIKey) {
		t.Errorf("seeded key %q is not well formed", apikey.Display(d.APIKey))
	}
	rec, err := s.LookupKey(ctx, apikey.Sum(d.APIKey))
	if err != nil {
		t.Fatalf("LookupKey(seeded key): %v", err)
	}
	if ok, why := rec.Usable(time.Now()); !ok || rec.TenantSlug != "demo" || rec.UserID == "" {
		t.Errorf("seeded key record = %+v usable=%v (%s)", rec, ok, why)
	}
	var stored []byte
	if err := s.Pool().QueryRow(ctx, `SELECT key_hash FROM api_keys`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if string(stored) == d.APIKey || len(stored) != 32 {
		t.Errorf("api_keys stores %d bytes, want only the 32-byte hash", len(stored))
	}
	again, err := s.SeedDemo(ctx)
	if err != nil || again != nil {
		t.Fatalf("second SeedDemo = %v, %v; want nothing seeded", again, err)
	}
}

func TestLookupKey(t *testing.T) {
	ctx := context.Background()
	s := store.New(testdb.New(t))
	tn, err := s.CreateTenant(ctx, "acme", "Acme Bank")
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, tn.ID, "ana@acme.test", "Ana", store.RoleUser, "")
	if err != nil {
		t.Fatal(err)
	}
	key, rec, err := s.CreateKey(ctx, store.NewKey{TenantID: tn.ID, UserID: u.ID, Name: "ci", AllowedModels: []string{"gpt-4o*"}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Prefix != apikey.Display(key) || rec.AllowedModels[0] != "gpt-4o*" {
		t.Errorf("record = %+v", rec)
	}

	if _, err := s.LookupKey(ctx, apikey.Sum("sk-aigw-unknown")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown key: err = %v, want ErrNotFound", err)
	}

	if err := s.SetTenantStatus(ctx, tn.ID, "suspended"); err != nil {
		t.Fatal(err)
	}
	rec, _ = s.LookupKey(ctx, apikey.Sum(key))
	if ok, why := rec.Usable(time.Now()); ok || why != "tenant suspended" {
		t.Errorf("suspended tenant: usable=%v why=%q", ok, why)
	}
	s.SetTenantStatus(ctx, tn.ID, "active") //nolint:errcheck

	if err := s.RevokeKey(ctx, tn.ID, rec.ID); err != nil {
		t.Fatal(err)
	}
	rec, _ = s.LookupKey(ctx, apikey.Sum(key))
	if ok, why := rec.Usable(time.Now()); ok || why != "revoked" {
		t.Errorf("revoked key: usable=%v why=%q", ok, why)
	}

	other, _ := s.CreateTenant(ctx, "other", "Other Bank")
	if err := s.RevokeKey(ctx, other.ID, rec.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking another tenant's key: err = %v, want ErrNotFound", err)
	}
}

func TestKeyExpiry(t *testing.T) {
	now := time.Now()
	rec := store.KeyRecord{TenantActive: true, UserActive: true, ExpiresAt: now.Add(time.Minute)}
	if ok, _ := rec.Usable(now); !ok {
		t.Error("key before expiry refused")
	}
	if ok, why := rec.Usable(now.Add(time.Minute)); ok || why != "expired" {
		t.Errorf("key at expiry: usable=%v why=%q", ok, why)
	}
}
