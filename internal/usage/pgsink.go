package usage

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
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
	rows := make([][]any, len(recs))
	for i := range recs {
		row, err := recordRow(&recs[i])
		if err != nil {
			return err
		}
		rows[i] = row
	}
	if !replay {
		if _, err := s.pool.CopyFrom(ctx, pgx.Identifier{"usage_logs"}, columns, pgx.CopyFromRows(rows)); err != nil {
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
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"aigw_usage_stage"}, columns, pgx.CopyFromRows(rows)); err != nil {
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

// recordRow converts r to COPY values. Counters are clamped to the columns'
// ranges so that no value can make a batch fail forever.
func recordRow(r *Record) ([]any, error) {
	tenant, err := parseUUID(r.TenantID)
	if err != nil || !tenant.Valid {
		return nil, fmt.Errorf("usage row %s: tenant id is not a UUID", r.RequestID)
	}
	user, err := parseUUID(r.UserID)
	if err != nil {
		return nil, fmt.Errorf("usage row %s: user id is not a UUID", r.RequestID)
	}
	key, err := parseUUID(r.APIKeyID)
	if err != nil {
		return nil, fmt.Errorf("usage row %s: key id is not a UUID", r.RequestID)
	}
	var ttft any
	if r.TTFTMS >= 0 {
		ttft = clamp32(r.TTFTMS)
	}
	cost := pgtype.Numeric{Int: big.NewInt(max(int64(r.Cost), 0)), Exp: -12, Valid: true}
	return []any{
		r.RequestID, r.CreatedAt, tenant, user, key, r.Endpoint,
		r.RequestedModel, r.Model, r.Provider, r.Deployment,
		clamp32(r.PromptTokens), clamp32(r.CompletionTokens), clamp32(r.CachedTokens),
		clamp32(r.EstPromptTokens), clamp32(r.EstCompletionTokens),
		cost, clampSigned32(r.LatencyMS), ttft, int16(min(max(r.Status, 0), math.MaxInt16)),
		r.ErrorCode, r.GuardrailAction, r.Stream, int16(min(max(r.Attempts, 0), math.MaxInt16)),
	}, nil
}

// parseUUID parses s; "" is NULL.
func parseUUID(s string) (pgtype.UUID, error) {
	var u pgtype.UUID
	if s == "" {
		return u, nil
	}
	err := u.Scan(s)
	return u, err
}

func clamp32(n int) int32 { return int32(min(max(n, 0), math.MaxInt32)) }

func clampSigned32(n int) int32 { return int32(min(max(n, math.MinInt32), math.MaxInt32)) }
