package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/testdb"
)

// provision provisions an aigw app over the shipped configuration and dsn,
// as a config load does.
func provision(t *testing.T, dsn string) *App {
	t.Helper()
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	a := &App{DatabaseURL: dsn, Models: "../../configs/models.yaml", Providers: "../../configs/providers.yaml",
		RoutingRules: "../../configs/routing_rules.yaml", Guardrails: "../../configs/guardrails.yaml"}
	if err := a.Provision(ctx); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestOneOwnerForSharedResources checks that the app owns the one pool, the
// one audit queue and the usage writers, that a reload's two configs share
// them, and that the last config's cleanup closes them.
func TestOneOwnerForSharedResources(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	dsn := testdb.NewURL(t)
	oldCfg, newCfg := provision(t, dsn), provision(t, dsn)
	if oldCfg.Store().Pool() != newCfg.Store().Pool() || oldCfg.Audit() != newCfg.Audit() || oldCfg.Audit() == nil {
		t.Fatal("two configs of one database got two pools or two audit queues")
	}
	w1, err := oldCfg.UsageWriter(UsageOptions{BufferSize: 100, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	w2, err := newCfg.UsageWriter(UsageOptions{BufferSize: 200, BatchSize: 10})
	if err != nil || w1 != w2 {
		t.Fatalf("two usage writers for one database and spool: %v", err)
	}
	usageKey := newCfg.usageKeys[0]
	if err := oldCfg.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if err := newCfg.Store().Pool().Ping(context.Background()); err != nil {
		t.Fatalf("the pool closed while the new config still holds it: %v", err)
	}
	if n, ok := pools.References(usageKey); !ok || n != 1 {
		t.Fatalf("usage writer references after the old config left: %d, %v", n, ok)
	}
	if err := newCfg.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if err := newCfg.Store().Pool().Ping(context.Background()); err == nil {
		t.Error("the pool outlived the last config")
	}
	if _, ok := pools.References(usageKey); ok {
		t.Error("the usage writer outlived the last config")
	}
}

// TestLegacyAuditSpoolsAreReplayed checks that events an older version left
// in its own audit spools reach the audit trail, and the files go.
func TestLegacyAuditSpoolsAreReplayed(t *testing.T) {
	pool := testdb.New(t)
	dir := t.TempDir()
	legacy := filepath.Join(dir, "auth-audit.spool")
	sp, err := audit.OpenSpool(legacy, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Append([]audit.Event{{Action: "security.invalid_api_keys", ActorType: audit.ActorSystem, ActorID: "aigw_auth"}}); err != nil {
		t.Fatal(err)
	}
	s, err := newSharedDB(pool, dir, 10, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer s.audit.Close(time.Second)
	s.replayLegacySpools([]string{legacy, filepath.Join(dir, "absent.spool")}, zap.NewNop())
	defer s.cancel()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_logs WHERE action = 'security.invalid_api_keys'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(legacy); n == 1 && os.IsNotExist(err) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %d events stored, spool file %v", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
