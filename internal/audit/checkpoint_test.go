package audit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/internal/testdb"
)

// superuser runs sql with the append-only triggers of both audit tables
// disabled, as a database superuser (or the tables' owner) can.
func superuser(t *testing.T, pool *pgxpool.Pool, sql ...string) {
	t.Helper()
	all := []string{`ALTER TABLE audit_logs DISABLE TRIGGER USER`, `ALTER TABLE audit_checkpoints DISABLE TRIGGER USER`}
	all = append(all, sql...)
	all = append(all, `ALTER TABLE audit_logs ENABLE TRIGGER USER`, `ALTER TABLE audit_checkpoints ENABLE TRIGGER USER`)
	for _, q := range all {
		if _, err := pool.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func onlyBreak(t *testing.T, rep *Report, seq int64, reason string) {
	t.Helper()
	if len(rep.Breaks) != 1 || rep.Breaks[0].Seq != seq || !strings.Contains(rep.Breaks[0].Reason, reason) {
		t.Fatalf("breaks = %v, want one at seq %d (%s)", rep.Breaks, seq, reason)
	}
}

// TestDeletingTheNewestRowsIsDetected is #16's fourth case: the newest rows
// deleted (the trigger bypassed) are found missing, and the next event does
// not reuse their sequence numbers.
func TestDeletingTheNewestRowsIsDetected(t *testing.T) {
	pool := testdb.New(t)
	s := NewStore(pool)
	a, b := newTenant(t, pool, "bank-a"), newTenant(t, pool, "bank-b")
	appendN(t, s, a, 6)
	appendN(t, s, b, 3)
	superuser(t, pool, `DELETE FROM audit_logs WHERE seq >= 5 AND tenant_id = '`+a+`'`)
	onlyBreak(t, verify(t, s, ""), 5, "rows were deleted at the end")
	onlyBreak(t, verify(t, s, a), 5, "up to seq 6, the rows end at seq 4")

	appendN(t, s, a, 1)
	var seq int64
	if err := pool.QueryRow(context.Background(), `SELECT max(seq) FROM audit_logs WHERE tenant_id = $1`, a).Scan(&seq); err != nil || seq != 7 {
		t.Fatalf("the next event got seq %d (%v), want 7: sequence numbers of deleted rows are never reused", seq, err)
	}
	onlyBreak(t, verify(t, s, a), 7, "expected seq 5: rows are missing")
}

// forgeTail replaces a chain's rows from seq from on with events of the
// forger's choosing, hashed into a chain that verifies row by row, as a
// superuser who knows the (public) hashing can.
func forgeTail(t *testing.T, pool *pgxpool.Pool, tenant string, from int64, n int) {
	t.Helper()
	ctx := context.Background()
	var prev []byte
	if err := pool.QueryRow(ctx, `SELECT hash FROM audit_logs WHERE tenant_id = $1 AND seq = $2`, tenant, from-1).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	events := make([]*Event, n)
	for i := range events {
		events[i] = &Event{TenantID: tenant, Action: "api.request", ActorType: ActorAPIKey, RequestID: fmt.Sprint("forged-", i)}
		if err := events[i].prepare(DefaultSanitizer{}, fixedClock()); err != nil {
			t.Fatal(err)
		}
	}
	var u pgtype.UUID
	u.Scan(tenant) //nolint:errcheck
	rows, err := chainRows(u, from-1, prev, events)
	if err != nil {
		t.Fatal(err)
	}
	superuser(t, pool, fmt.Sprintf(`DELETE FROM audit_logs WHERE tenant_id = '%s' AND seq >= %d`, tenant, from))
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"audit_logs"}, auditColumns, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
}

func TestRewrittenChainIsCaughtByItsCheckpoints(t *testing.T) {
	pool := testdb.New(t)
	s := NewStore(pool)
	a := newTenant(t, pool, "bank-a")
	appendN(t, s, a, 6)
	forgeTail(t, pool, a, 3, 4) // rows 3..6 rewritten, each linking to the one before
	onlyBreak(t, verify(t, s, a), 3, "not the one its checkpoint recorded")
}

// TestSignedCheckpointsCannotBeForged: with a checkpoint key the database
// never sees, a superuser who rewrites rows cannot write checkpoints that
// verify, signed or not; without the key, rewriting rows and checkpoints
// alike goes unnoticed (the README says so).
func TestSignedCheckpointsCannotBeForged(t *testing.T) {
	for _, tt := range []struct {
		name   string
		key    []byte
		forged string // the forger's mac column
		reason string
	}{
		{"signed, forged signature", []byte("0123456789abcdef0123456789abcdef"), `sha256('x'::bytea)`, "signature does not verify"},
		{"signed, checkpoint left unsigned", []byte("0123456789abcdef0123456789abcdef"), `NULL`, "unsigned checkpoint follows signed ones"},
		{"no key: unnoticed", nil, `NULL`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pool := testdb.New(t)
			s := NewStore(pool, WithCheckpointKey(tt.key))
			a := newTenant(t, pool, "bank-a")
			appendN(t, s, a, 6)
			forgeTail(t, pool, a, 3, 4)
			superuser(t, pool, `DELETE FROM audit_checkpoints WHERE seq >= 3`,
				`INSERT INTO audit_checkpoints (chain_id, seq, hash, mac) SELECT tenant_id, seq, hash, `+tt.forged+` FROM audit_logs WHERE seq >= 3`)
			rep := verify(t, s, a)
			if tt.reason == "" {
				if len(rep.Breaks) != 0 {
					t.Fatalf("breaks %v", rep.Breaks)
				}
				return
			}
			onlyBreak(t, rep, 3, tt.reason)
		})
	}
}

// TestAnchorCatchesACutChain: cutting a chain's newest rows and checkpoints
// alike leaves nothing in the database to tell; the anchor an earlier
// verify recorded outside it does.
func TestAnchorCatchesACutChain(t *testing.T) {
	pool := testdb.New(t)
	key := []byte("0123456789abcdef0123456789abcdef")
	s := NewStore(pool, WithCheckpointKey(key))
	a := newTenant(t, pool, "bank-a")
	appendN(t, s, a, 6)
	rep := verify(t, s, "")
	if len(rep.PerChain) != 1 || rep.PerChain[0].Checkpoint == nil || rep.PerChain[0].Checkpoint.Seq != 6 || !rep.PerChain[0].Signed {
		t.Fatalf("report %+v: want the last checkpoint, seq 6, signed", rep.PerChain)
	}
	anchor := map[string]Checkpoint{a: *rep.PerChain[0].Checkpoint}
	superuser(t, pool, `DELETE FROM audit_logs WHERE seq > 4`, `DELETE FROM audit_checkpoints WHERE seq > 4`)
	if rep := verify(t, s, a); len(rep.Breaks) != 0 {
		t.Fatalf("without an anchor: %v", rep.Breaks)
	}
	rep, err := s.Verify(context.Background(), VerifyOptions{Tenant: a, Anchors: anchor})
	if err != nil {
		t.Fatal(err)
	}
	onlyBreak(t, rep, 5, "the chain was cut")
}

func TestAppendTxCheckpointsWithTheCallersTransaction(t *testing.T) {
	pool := testdb.New(t)
	s := NewStore(pool)
	a := newTenant(t, pool, "bank-a")
	ctx := context.Background()
	for _, commit := range []bool{false, true} {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AppendTx(ctx, tx, Event{TenantID: a, Action: "user.create"}, Event{TenantID: a, Action: "user.update"}); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit(ctx)
		} else {
			err = tx.Rollback(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	rep := verify(t, s, a)
	if rep.Rows != 2 || len(rep.Breaks) != 0 || rep.PerChain[0].Checkpoint == nil || rep.PerChain[0].Checkpoint.Seq != 2 {
		t.Fatalf("report %+v %+v", rep, rep.PerChain)
	}
}

// TestRowsOfWritersWithoutCheckpointsStillChain: rows a writer older than
// the checkpoints appended (here: checkpoints removed) are continued, not
// overwritten, and verify.
func TestRowsOfWritersWithoutCheckpointsStillChain(t *testing.T) {
	pool := testdb.New(t)
	s := NewStore(pool)
	a := newTenant(t, pool, "bank-a")
	appendN(t, s, a, 3)
	superuser(t, pool, `DELETE FROM audit_checkpoints WHERE seq > 1`)
	appendN(t, s, a, 2)
	if rep := verify(t, s, a); rep.Rows != 5 || len(rep.Breaks) != 0 {
		t.Fatalf("report %+v", rep)
	}
}

// TestVerifyDuringAppendsFindsNothing verifies over and over while four
// writers append: a row appended after the checkpoints were read is never
// taken for a missing one.
func TestVerifyDuringAppendsFindsNothing(t *testing.T) {
	pool := testdb.New(t)
	a := newTenant(t, pool, "bank-a")
	var wg sync.WaitGroup
	var done atomic.Bool
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			appendN(t, NewStore(pool), a, 40)
		}()
	}
	go func() { wg.Wait(); done.Store(true) }()
	for runs := 0; !done.Load() || runs == 0; runs++ {
		if rep := verify(t, NewStore(pool), ""); len(rep.Breaks) != 0 {
			t.Fatalf("verify during appends: %v", rep.Breaks)
		}
	}
}
