package usage

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Sink stores batches of records, all or nothing per batch. replay is set
// for records that may already be stored (replayed from the spool after a
// failed write, whose commit may have reached the database): Write must then
// skip those already stored. Fresh records (replay false) were never written.
type Sink interface {
	Write(ctx context.Context, recs []Record, replay bool) error
}

// PGSink writes records into usage_logs with COPY.
type PGSink struct {
	pool *pgxpool.Pool
}

// NewPGSink returns a sink over pool, which it does not own.
func NewPGSink(pool *pgxpool.Pool) *PGSink { return &PGSink{pool: pool} }

// The staging table lives per connection and is emptied at each commit, so a
// batch never sees another's rows and the catalog is not churned per batch.
const (
	createStage = `CREATE TEMP TABLE IF NOT EXISTS aigw_usage_stage
		(LIKE usage_logs INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`
	insertStage = `INSERT INTO usage_logs SELECT * FROM aigw_usage_stage
		ON CONFLICT (request_id, created_at) DO NOTHING`
)

// Write copies fresh recs straight into usage_logs. A replay copies them into
// a staging table and moves them into usage_logs in one transaction,
// skipping rows already stored; it costs the database about twice as much,
// so only replays pay for it.
func (s *PGSink) Write(ctx context.Context, recs []Record, replay bool) error {
	if len(recs) == 0 {
		return nil
	}
	for i := range recs {
		if _, _, _, err := recs[i].ids(); err != nil {
			return err
		}
	}
	if !replay {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("copying %d usage rows: %w", len(recs), err)
		}
		defer conn.Release()
		if err := copyRecords(ctx, conn.Conn(), "usage_logs", recs); err != nil {
			return fmt.Errorf("copying %d usage rows: %w", len(recs), err)
		}
		return nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("beginning usage batch: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	if _, err := tx.Exec(ctx, createStage); err != nil {
		return fmt.Errorf("creating usage staging table: %w", err)
	}
	if err := copyRecords(ctx, tx.Conn(), "aigw_usage_stage", recs); err != nil {
		return fmt.Errorf("staging %d usage rows: %w", len(recs), err)
	}
	if _, err := tx.Exec(ctx, insertStage); err != nil {
		return fmt.Errorf("inserting %d usage rows: %w", len(recs), err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("committing %d usage rows: %w", len(recs), err)
	}
	return nil
}

// copyRecords copies recs, whose ids are valid, into table (usage_logs or
// its staging table) in PostgreSQL's binary COPY format.
func copyRecords(ctx context.Context, conn *pgx.Conn, table string, recs []Record) error {
	_, err := conn.PgConn().CopyFrom(ctx, newCopySource(recs), fmt.Sprintf(copyUsage, table))
	return err
}
