package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/internal/testdb"
)

// TestQueueSpoolsWhileTheStoreIsDownAndReplays is the regression test for
// audit events lost to a database outage: a queue whose store cannot be
// reached spools what it accepts, nothing raw reaches the disk, and a queue on
// a working store replays the spool first, every event exactly once.
func TestQueueSpoolsWhileTheStoreIsDownAndReplays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	sp, err := OpenSpool(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A pool on a port nothing listens on: every append fails.
	down, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	q := NewSpooledQueue(NewStore(down), 4, sp, nil)
	for i := 0; i < 30; i++ { // more than the queue holds: the overflow spools too
		if !q.Add(Event{Action: "api.request", ActorType: ActorSystem, Details: map[string]any{"n": i, "email": "jane.doe@example.com"}}) {
			t.Fatalf("event %d refused", i)
		}
	}
	q.Close(3 * time.Second)
	if q.Dropped() != 0 || !sp.Pending() {
		t.Fatalf("dropped %d, spool pending %v", q.Dropped(), sp.Pending())
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "jane.doe@example.com") {
		t.Fatal("the spool holds an unsanitized value")
	}

	pool := testdb.New(t)
	sp2, err := OpenSpool(path, nil) // a restart finds the file
	if err != nil {
		t.Fatal(err)
	}
	q2 := NewSpooledQueue(NewStore(pool), 100, sp2, nil)
	q2.Add(Event{Action: "config.reload", ActorType: ActorSystem})
	q2.Close(10 * time.Second)
	var n, distinct int
	if err := pool.QueryRow(context.Background(),
		`SELECT count(*), count(DISTINCT details->>'n') FROM audit_logs WHERE action = 'api.request'`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != 30 || distinct != 30 || sp2.Pending() {
		t.Fatalf("replayed %d rows (%d distinct), spool pending %v; want 30 once each", n, distinct, sp2.Pending())
	}
	var last string
	pool.QueryRow(context.Background(), `SELECT action FROM audit_logs ORDER BY id DESC LIMIT 1`).Scan(&last) //nolint:errcheck
	if last != "config.reload" {
		t.Errorf("last row %q: spooled events must come before the new one", last)
	}
	rep, err := NewStore(pool).Verify(context.Background(), VerifyOptions{})
	if err != nil || rep.Rows != 31 || len(rep.Breaks) != 0 {
		t.Fatalf("verify: %+v, %v; want 31 rows and an intact chain", rep, err)
	}
}
