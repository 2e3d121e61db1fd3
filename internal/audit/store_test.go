package audit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
)

func newTenant(t testing.TB, pool *pgxpool.Pool, slug string) string {
	t.Helper()
	tn, err := store.New(pool).CreateTenant(context.Background(), slug, slug)
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

func fixedClock() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 123456789, time.UTC) }

func appendN(t *testing.T, s *Store, tenant string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		err := s.Append(context.Background(), Event{TenantID: tenant, Action: "api.request", ActorType: ActorAPIKey,
			ActorID: "key-" + fmt.Sprint(i), RequestID: fmt.Sprintf("req_%d", i), ClientIP: "198.51.100.7",
			Details: map[string]any{"status": 200, "model": "gpt-4o", "email": "x@y.example", "latency": 0.25}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, s *Store, tenant string) *Report {
	t.Helper()
	rep, err := s.Verify(context.Background(), VerifyOptions{Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// tamper runs sql with the append-only trigger disabled, as a superuser
// bypassing the application could.
func tamper(t *testing.T, pool *pgxpool.Pool, sql string) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete`, sql,
		`ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestAppendChainsAndSanitizes(t *testing.T) {
	pool := testdb.New(t)
	s := NewStore(pool, WithClock(fixedClock))
	a, b := newTenant(t, pool, "bank-a"), newTenant(t, pool, "bank-b")
	appendN(t, s, a, 3)
	appendN(t, s, b, 2)
	appendN(t, s, "", 1)
	rep := verify(t, s, "")
	if rep.Chains != 3 || rep.Rows != 6 || len(rep.Breaks) != 0 {
		t.Fatalf("report = %+v, want 3 intact chains of 6 rows", rep)
	}
	var details, ip string
	var seq int64
	err := pool.QueryRow(context.Background(),
		`SELECT details::text, client_ip, seq FROM audit_logs WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1`, b).Scan(&details, &ip, &seq)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(details, "x@y.example") || !strings.Contains(details, MaskEmail) || ip != "198.51.xxx.xxx" || seq != 2 {
		t.Errorf("stored details %s, ip %s, seq %d", details, ip, seq)
	}
	if _, err := pool.Exec(context.Background(), `UPDATE audit_logs SET action = 'x'`); err == nil {
		t.Error("UPDATE of audit_logs succeeded; the trigger should refuse it")
	}
}

func TestVerifyNamesFirstBrokenLink(t *testing.T) {
	tests := []struct {
		name, sql  string
		seq        int64
		wantReason string
	}{
		{"edited details", `UPDATE audit_logs SET details = '{"status": 500}' WHERE seq = 3`, 3, "altered"},
		{"edited outcome", `UPDATE audit_logs SET outcome = 'denied' WHERE seq = 2`, 2, "altered"},
		{"deleted row", `DELETE FROM audit_logs WHERE seq = 4`, 5, "missing"},
		{"rehashed row", `UPDATE audit_logs SET hash = sha256('forged'::bytea) WHERE seq = 2`, 2, "altered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := testdb.New(t)
			s := NewStore(pool)
			a, b := newTenant(t, pool, "bank-a"), newTenant(t, pool, "bank-b")
			appendN(t, s, a, 6)
			appendN(t, s, b, 6)
			tamper(t, pool, tt.sql+` AND tenant_id = '`+a+`'`)
			rep := verify(t, s, "")
			if len(rep.Breaks) != 1 {
				t.Fatalf("breaks = %v, want one (tenant a's chain only)", rep.Breaks)
			}
			br := rep.Breaks[0]
			if br.TenantID != a || br.Seq != tt.seq || !strings.Contains(br.Reason, tt.wantReason) {
				t.Errorf("break = %v, want tenant a seq %d (%s)", br, tt.seq, tt.wantReason)
			}
		})
	}
}

func TestConcurrentAppendersKeepOneChain(t *testing.T) {
	pool := testdb.New(t)
	a := newTenant(t, pool, "bank-a")
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			appendN(t, NewStore(pool), a, 10)
		}()
	}
	wg.Wait()
	rep := verify(t, NewStore(pool), a)
	if rep.Rows != 40 || len(rep.Breaks) != 0 {
		t.Errorf("report = %+v, want 40 rows, intact", rep)
	}
}

func TestQueueFlushesOnClose(t *testing.T) {
	pool := testdb.New(t)
	a := newTenant(t, pool, "bank-a")
	q := NewQueue(NewStore(pool), 100, nil)
	for i := 0; i < 50; i++ {
		if !q.Add(Event{TenantID: a, Action: "api.request", RequestID: fmt.Sprint(i)}) {
			t.Fatal("queue refused an event")
		}
	}
	q.Close(5 * time.Second)
	if rep := verify(t, NewStore(pool), a); rep.Rows != 50 || len(rep.Breaks) != 0 {
		t.Errorf("report = %+v, want 50 rows", rep)
	}
	if q.Add(Event{TenantID: a, Action: "late"}) {
		t.Error("closed queue accepted an event")
	}
}
