package schema_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/internal/testdb"
	"github.com/aigw/aigw/schema"
)

// TestMigrationsAreNumberedInOrder: versions strictly increase from 1.
// Gaps are allowed: numbers are assigned to work that lands in any order,
// and the migrator applies whatever is pending, in version order.
func TestMigrationsAreNumberedInOrder(t *testing.T) {
	migs, err := schema.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	prev := 0
	for _, m := range migs {
		if m.Version <= prev {
			t.Errorf("migration %q has version %d, not above %d", m.Name, m.Version, prev)
		}
		prev = m.Version
	}
	if len(migs) == 0 || migs[0].Version != 1 {
		t.Errorf("the first migration is not version 1")
	}
}

func newPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), testdb.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestMigrateFreshDatabaseThenIdempotent(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	applied, err := schema.Migrate(ctx, pool)
	if err != nil {
		t.Fatalf("first Migrate: %v", err)
	}
	migs, _ := schema.Migrations()
	if len(applied) != len(migs) {
		t.Fatalf("applied %d migrations, want %d", len(applied), len(migs))
	}
	again, err := schema.Migrate(ctx, pool)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v, err %v; want nothing", again, err)
	}
	for _, table := range []string{"tenants", "users", "api_keys", "usage_logs", "audit_logs",
		"policies", "provider_configs", "sso_configs", "invoices"} {
		var ok bool
		if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&ok); err != nil || !ok {
			t.Errorf("table %s missing (err %v)", table, err)
		}
	}
}

func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() { _, err := schema.Migrate(ctx, pool); errs <- err }()
	}
	for i := 0; i < 3; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent Migrate: %v", err)
		}
	}
}

func TestMigrateRefusesEditedMigration(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	if _, err := schema.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "UPDATE schema_migrations SET checksum = 'deadbeefdeadbeef' WHERE version = 1"); err != nil {
		t.Fatal(err)
	}
	_, err := schema.Migrate(ctx, pool)
	if err == nil || !strings.Contains(err.Error(), "was edited") {
		t.Fatalf("Migrate after edit: err = %v, want an 'edited' error", err)
	}
}

func TestAuditLogsAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	hash := make([]byte, 32)
	if _, err := pool.Exec(ctx, `INSERT INTO audit_logs (seq, actor_type, action, prev_hash, hash)
		VALUES (1, 'system', 'config.reload', $1, $1)`, hash); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE audit_logs SET action = 'x'",
		"DELETE FROM audit_logs",
		"TRUNCATE audit_logs",
	} {
		if _, err := pool.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only refusal", stmt, err)
		}
	}
}

func TestUsageLogsLandInMonthlyPartitions(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	now := time.Now().UTC()
	far := time.Date(now.Year()+5, 1, 15, 0, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{now, far} {
		if _, err := pool.Exec(ctx, `INSERT INTO usage_logs (request_id, created_at, tenant_id, endpoint, status, cost_usd)
			VALUES ($1, $2, gen_random_uuid(), '/v1/chat/completions', 200, 0.000002500000)`,
			"req-"+string(rune('a'+i)), at); err != nil {
			t.Fatal(err)
		}
	}
	var part string
	if err := pool.QueryRow(ctx, `SELECT tableoid::regclass::text FROM usage_logs WHERE request_id = 'req-a'`).Scan(&part); err != nil {
		t.Fatal(err)
	}
	if want := "usage_logs_" + now.Format("2006_01"); part != want {
		t.Errorf("current row in %s, want %s", part, want)
	}
	if err := pool.QueryRow(ctx, `SELECT tableoid::regclass::text FROM usage_logs WHERE request_id = 'req-b'`).Scan(&part); err != nil {
		t.Fatal(err)
	}
	if part != "usage_logs_default" {
		t.Errorf("far-future row in %s, want the default partition", part)
	}
	var cost string
	if err := pool.QueryRow(ctx, `SELECT cost_usd::text FROM usage_logs WHERE request_id = 'req-a'`).Scan(&cost); err != nil {
		t.Fatal(err)
	}
	if cost != "0.000002500000" {
		t.Errorf("cost_usd = %s, want exact 0.000002500000", cost)
	}
	// Creating partitions again is a no-op; the far month already has rows in
	// the default partition and is skipped rather than failing.
	var created int
	if err := pool.QueryRow(ctx, `SELECT aigw_ensure_usage_partitions($1::date, 1)`, far).Scan(&created); err != nil || created != 0 {
		t.Errorf("ensure partitions for a month in default: created %d, err %v", created, err)
	}
}
