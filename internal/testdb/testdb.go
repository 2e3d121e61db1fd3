// Package testdb gives each test a fresh, migrated PostgreSQL database on the
// server that `make test` starts (AIGW_TEST_DATABASE_URL, a URL of a database on
// it with the right to create databases). Under `make test`
// AIGW_REQUIRE_INTEGRATION=1, so a missing server fails the test instead of
// skipping it.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/schema"
)

// ServerURL returns the URL of the test server, or skips (fails, under make
// test) the test when there is none.
func ServerURL(t testing.TB) string {
	t.Helper()
	server := os.Getenv("AIGW_TEST_DATABASE_URL")
	if server == "" {
		Missing(t, "AIGW_TEST_DATABASE_URL is not set; `make test` starts PostgreSQL and sets it")
	}
	return server
}

// Missing ends a test that lacks a real part it needs (a server, a binary):
// a skip when run by hand, a failure under `make test`, where
// AIGW_REQUIRE_INTEGRATION=1 and every part must be there.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("AIGW_REQUIRE_INTEGRATION") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// NewURL creates an empty database, dropped when the test ends, and returns its URL.
func NewURL(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connecting to test PostgreSQL: %v", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	name := "aigw_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("dropping test database: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("AIGW_TEST_DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String()
}

// New returns a pool on a fresh, migrated database.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dsn := NewURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := schema.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrating test database: %v", err)
	}
	return pool
}
