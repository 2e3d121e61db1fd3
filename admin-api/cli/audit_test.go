package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
	"github.com/aigw/aigw/schema"
)

func TestAuditVerifyNamesBrokenLink(t *testing.T) {
	url := testdb.NewURL(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := schema.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	tn, err := store.New(pool).CreateTenant(ctx, "bank", "Bank")
	if err != nil {
		t.Fatal(err)
	}
	as := audit.NewStore(pool)
	for i := 0; i < 3; i++ {
		if err := as.Append(ctx, audit.Event{TenantID: tn.ID, Action: "config.reload"}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := Run(ctx, []string{"audit", "verify", "--tenant", "bank"}, &out, &out); err != nil || !strings.Contains(out.String(), "ok: 1 chains, 3 rows") {
		t.Fatalf("verify of an intact chain: %v, %q", err, out.String())
	}
	if !strings.Contains(out.String(), "chain "+tn.ID+": 3 rows, last seq 3; last checkpoint seq 3 of ") {
		t.Errorf("verify does not report the last checkpoint: %q", out.String())
	}
	for _, q := range []string{
		`ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete`,
		`UPDATE audit_logs SET action = 'nothing.happened' WHERE seq = 2`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	err = Run(ctx, []string{"audit", "verify"}, &out, &out)
	if err == nil || ExitCode(err) != 1 || !strings.Contains(out.String(), "BROKEN chain "+tn.ID+": row seq 2") {
		t.Errorf("verify of a tampered chain: %v, %q", err, out.String())
	}
	if err := Run(ctx, []string{"audit"}, &out, &out); ExitCode(err) != 2 {
		t.Errorf("audit without a subcommand: %v", err)
	}
}

// TestAuditVerifyAnchorsCatchACutChain: deleting a chain's newest rows is
// reported; deleting its newest checkpoints too is caught by the anchors an
// earlier run kept outside the database.
func TestAuditVerifyAnchorsCatchACutChain(t *testing.T) {
	url := testdb.NewURL(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := schema.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	tn, err := store.New(pool).CreateTenant(ctx, "bank", "Bank")
	if err != nil {
		t.Fatal(err)
	}
	as := audit.NewStore(pool)
	for i := 0; i < 4; i++ {
		if err := as.Append(ctx, audit.Event{TenantID: tn.ID, Action: "config.reload"}); err != nil {
			t.Fatal(err)
		}
	}
	anchors := filepath.Join(t.TempDir(), "anchors.json")
	var out bytes.Buffer
	if err := Run(ctx, []string{"audit", "verify", "--anchors", anchors}, &out, &out); err != nil {
		t.Fatalf("first run: %v %s", err, out.String())
	}
	exec := func(qs ...string) {
		for _, q := range qs {
			if _, err := pool.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
	exec(`ALTER TABLE audit_logs DISABLE TRIGGER USER`, `DELETE FROM audit_logs WHERE seq = 4`)
	out.Reset()
	if err := Run(ctx, []string{"audit", "verify"}, &out, &out); ExitCode(err) != 1 || !strings.Contains(out.String(), "rows were deleted at the end") {
		t.Fatalf("the newest row deleted: %v %s", err, out.String())
	}
	exec(`ALTER TABLE audit_checkpoints DISABLE TRIGGER USER`, `DELETE FROM audit_checkpoints WHERE seq = 4`)
	out.Reset()
	if err := Run(ctx, []string{"audit", "verify"}, &out, &out); err != nil {
		t.Fatalf("rows and checkpoints cut alike, no anchors: %v %s", err, out.String())
	}
	out.Reset()
	if err := Run(ctx, []string{"audit", "verify", "--anchors", anchors}, &out, &out); ExitCode(err) != 1 || !strings.Contains(out.String(), "the chain was cut") {
		t.Fatalf("rows and checkpoints cut alike, with the anchors: %v %s", err, out.String())
	}
}
