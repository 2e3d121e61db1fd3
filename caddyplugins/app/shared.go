package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/usage"
)

// pools holds the clients and writers shared by every loaded config. A
// reload provisions the new config (taking a reference) before the old one
// is cleaned up (dropping its reference), so connections, buffered usage
// rows and queued audit events survive the reload; the last reference
// closes them.
var pools = caddy.NewUsagePool()

// live tracks the shared database resources and usage writers, for the
// process-wide metrics (Stats).
var live sync.Map // *sharedDB or *sharedUsage -> struct{}

// sharedDB is the one PostgreSQL pool of a database, its data layer and its
// one audit queue.
type sharedDB struct {
	pool   *pgxpool.Pool
	store  *store.Store
	audit  *audit.Queue
	cancel context.CancelFunc // stops replaying legacy spools
}

// Destruct writes out the queued audit events (to their spool if the
// database does not answer), then closes the connections.
func (s *sharedDB) Destruct() error {
	live.Delete(s)
	s.cancel()
	s.audit.Close(5 * time.Second)
	s.pool.Close()
	return nil
}

type sharedRedis struct{ client *redis.Client }

func (s *sharedRedis) Destruct() error { return s.client.Close() }

// sharedUsage is a usage writer over a database's pool.
type sharedUsage struct{ writer *usage.Writer }

// Destruct flushes the buffered rows (to the spool if the database does not
// answer).
func (s *sharedUsage) Destruct() error {
	live.Delete(s)
	return s.writer.Close()
}

// poolKey identifies a shared client by a hash of its settings, so the key
// never holds the secret itself.
func poolKey(kind string, parts ...any) string {
	h := sha256.Sum256([]byte(fmt.Sprint(parts...)))
	return kind + ":" + hex.EncodeToString(h[:8])
}

// dsnHash names a database without revealing its URL: the default usage
// spool folder is per database, so one database's rows are never replayed
// into another.
func dsnHash(dsn string) string {
	h := sha256.Sum256([]byte(dsn))
	return hex.EncodeToString(h[:6])
}

func (a *App) provisionDB(dsn string) error {
	maxConns := a.MaxDBConns
	if maxConns == 0 {
		maxConns = 16
	}
	key := poolKey("pg", dsn, maxConns)
	spoolDir := filepath.Join(caddy.AppDataDir(), "aigw", "spool", key[len("pg:"):])
	v, _, err := pools.LoadOrNew(key, func() (caddy.Destructor, error) {
		cfg, err := store.PoolConfig(dsn, "aigw-gateway", maxConns)
		if err != nil {
			return nil, err
		}
		cfg.ConnConfig.ConnectTimeout = dialTimeout
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			return nil, fmt.Errorf("creating database pool: %w", err)
		}
		s, err := newSharedDB(pool, spoolDir, a.AuditQueueSize, a.logger.Named("audit"))
		if err != nil {
			pool.Close()
			return nil, err
		}
		s.replayLegacySpools(a.legacyAuditSpools(dsn, spoolDir), a.logger.Named("audit"))
		return s, nil
	})
	if err != nil {
		return fmt.Errorf("database_url: %w", err)
	}
	a.db, a.dbKey, a.dsn = v.(*sharedDB), key, dsn
	return nil
}

// newSharedDB builds the data layer and the audit queue of pool; the queue
// spools to spoolDir/audit.spool while the database is down.
func newSharedDB(pool *pgxpool.Pool, spoolDir string, queueSize int, logger *zap.Logger) (*sharedDB, error) {
	sp, err := audit.OpenSpool(filepath.Join(spoolDir, "audit.spool"), nil)
	if err != nil {
		return nil, err
	}
	s := &sharedDB{pool: pool, store: store.New(pool), cancel: func() {},
		audit: audit.NewSpooledQueue(audit.NewStore(pool), queueSize, sp, logger)}
	live.Store(s, struct{}{})
	return s, nil
}

// legacyAuditSpools are where audit events waited before the app owned the
// one audit queue: the meter's queue (beside its usage spool) and the auth
// handler's.
func (a *App) legacyAuditSpools(dsn, spoolDir string) []string {
	return []string{
		filepath.Join(caddy.AppDataDir(), "aigw", "usage-spool", dsnHash(dsn), "audit.spool"),
		filepath.Join(spoolDir, "auth-audit.spool"),
	}
}

// replayLegacySpools appends what older versions left in their own audit
// spools, in the background, retrying while the database is down, and
// removes each file once it is empty: an event accepted then is not lost.
func (s *sharedDB) replayLegacySpools(paths []string, logger *zap.Logger) {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for _, path := range paths {
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
			continue
		}
		sp, err := audit.OpenSpool(path, nil)
		if err != nil {
			logger.Warn("opening an older audit spool", zap.String("path", path), zap.Error(err))
			continue
		}
		go func() {
			store := audit.NewStore(s.pool)
			for delay := time.Second; ; delay = min(2*delay, time.Minute) {
				n, err := sp.Drain(ctx, store, 500)
				if err == nil {
					logger.Info("replayed an older audit spool", zap.String("path", path), zap.Int("events", n))
					os.Remove(path) //nolint:errcheck // empty either way
					return
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(delay):
				}
			}
		}()
	}
}

func (a *App) provisionRedis(url string) error {
	key := poolKey("redis", url)
	v, _, err := pools.LoadOrNew(key, func() (caddy.Destructor, error) {
		opts, err := redis.ParseURL(url)
		if err != nil {
			// go-redis quotes the URL, password included; say only what is wrong.
			return nil, fmt.Errorf("not a valid redis:// URL")
		}
		opts.DialTimeout = dialTimeout
		return &sharedRedis{client: redis.NewClient(opts)}, nil
	})
	if err != nil {
		return fmt.Errorf("redis_url: %w", err)
	}
	a.rdb, a.redisKey = v.(*sharedRedis), key
	return nil
}

// UsageOptions configure the usage writer a handler asks the app for.
type UsageOptions struct {
	// SpoolDir is where rows wait while PostgreSQL is slow or down (default:
	// <Caddy data dir>/aigw/usage-spool/<database hash>).
	SpoolDir string
	// BufferSize, BatchSize and FlushInterval are as in usage.Options.
	BufferSize, BatchSize int
	FlushInterval         time.Duration
}

// UsageWriter returns the usage writer over the app's database pool that
// spools to o.SpoolDir, creating it on first use. Writers are shared by
// every config writing to the same database through the same spool, so a
// reload neither drops nor writes twice a buffered row; the app releases
// its references when its config unloads. A later config's limits apply to
// the writer it shares.
func (a *App) UsageWriter(o UsageOptions) (*usage.Writer, error) {
	if a.db == nil {
		return nil, errNoDatabase
	}
	if o.SpoolDir == "" {
		o.SpoolDir = filepath.Join(caddy.AppDataDir(), "aigw", "usage-spool", dsnHash(a.dsn))
	}
	key := poolKey("usage", a.dbKey, o.SpoolDir)
	v, loaded, err := pools.LoadOrNew(key, func() (caddy.Destructor, error) {
		w, err := usage.NewWriter(usage.NewPGSink(a.db.pool), usage.Options{
			SpoolDir: o.SpoolDir, BufferSize: o.BufferSize, BatchSize: o.BatchSize,
			FlushInterval: o.FlushInterval, Logger: a.logger.Named("usage"),
		})
		if err != nil {
			return nil, err
		}
		s := &sharedUsage{writer: w}
		live.Store(s, struct{}{})
		return s, nil
	})
	if err != nil {
		return nil, fmt.Errorf("usage writer: %w", err)
	}
	w := v.(*sharedUsage).writer
	if loaded {
		w.SetLimits(o.BufferSize, o.BatchSize)
	}
	a.mu.Lock()
	a.usageKeys = append(a.usageKeys, key)
	a.mu.Unlock()
	return w, nil
}

var errNoDatabase = errors.New("no database: set database_url in the aigw global option")

// Stats sums the process's shared usage writers and audit queues, for the
// meter's metrics.
type Stats struct {
	usage.Stats
	// AuditDropped counts audit events the queues refused.
	AuditDropped uint64
}

// LiveStats sums the live writers' and queues' counters.
func LiveStats() Stats {
	var out Stats
	live.Range(func(k, _ any) bool {
		switch s := k.(type) {
		case *sharedUsage:
			st := s.writer.Stats()
			out.Buffered += st.Buffered
			out.SpoolBytes += st.SpoolBytes
			out.Spooled += st.Spooled
			out.Lost += st.Lost
			out.Written += st.Written
		case *sharedDB:
			out.AuditDropped += s.audit.Dropped()
		}
		return true
	})
	return out
}
