// Package store is aigw's data access layer over PostgreSQL (pgx v5), shared by
// the gateway and the admin API. Every query that reads or changes a tenant's
// data takes the tenant's id and filters by it.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when a looked-up row does not exist (or is not the
// caller tenant's).
var ErrNotFound = errors.New("not found")

// Store runs aigw's queries on a connection pool it does not own.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a Store over pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Pool returns the underlying pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// PoolConfig parses url into a pool configuration with aigw's defaults: an
// application name that shows in pg_stat_activity, bounded size, and
// connections that are checked and recycled.
func PoolConfig(url, appName string, maxConns int32) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL with its password; do not wrap it.
		return nil, errors.New("parsing database URL: not a valid PostgreSQL connection string")
	}
	if appName != "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = appName
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.MaxConnLifetime = time.Hour
	cfg.HealthCheckPeriod = 30 * time.Second
	return cfg, nil
}

// Open connects a pool to url and checks that the database answers.
func Open(ctx context.Context, url, appName string) (*pgxpool.Pool, error) {
	cfg, err := PoolConfig(url, appName, 0)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening database pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to database: %w", err)
	}
	return pool, nil
}

// Querier is what the pool and a transaction have in common, so a query
// runs alike on either.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ValidUUID reports whether s has the shape of a UUID, so that a malformed
// id is not found rather than a database error.
func ValidUUID(s string) bool { return uuidPattern.MatchString(s) }

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
