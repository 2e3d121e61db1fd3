package audit

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/testdb"
)

// TestAppendTxCommitsAndRollsBackWithTheCallersTransaction: an event
// appended inside a transaction exists exactly when the transaction commits,
// and the chain still verifies around a rolled-back append.
func TestAppendTxCommitsAndRollsBackWithTheCallersTransaction(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	tenant := newTenant(t, pool, "acme")
	s := NewStore(pool, WithClock(fixedClock))
	appendN(t, s, tenant, 2)
	refused := errors.New("the change failed")
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := s.AppendTx(ctx, tx, Event{TenantID: tenant, Action: "user.update"}); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		return s.AppendTx(ctx, tx, Event{TenantID: tenant, Action: "user.create"}, Event{TenantID: tenant, Action: "user.delete"})
	})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	rows, _ := pool.Query(ctx, `SELECT action FROM audit_logs WHERE tenant_id = $1 ORDER BY seq`, tenant)
	actions, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"api.request", "api.request", "user.create", "user.delete"}; len(actions) != 4 || actions[2] != want[2] || actions[3] != want[3] {
		t.Errorf("chain holds %v, want %v", actions, want)
	}
	if rep := verify(t, s, tenant); len(rep.Breaks) != 0 || rep.Rows != 4 {
		t.Errorf("verify after a rolled-back append: %+v", rep)
	}
}
