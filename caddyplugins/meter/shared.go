package meter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/usage"
)

// writers holds the usage writer and audit queue shared by every loaded
// config that meters into the same database through the same spool: a
// reload provisions the new config (taking a reference) before the old one
// is cleaned up, so the buffer and its goroutine survive the reload and no
// row is dropped or written twice; the last reference flushes and closes.
var writers = caddy.NewUsagePool()

// live tracks the shared writers for the process-wide metrics.
var live sync.Map // *sharedWriter -> struct{}

type sharedWriter struct {
	pool   *pgxpool.Pool
	writer *usage.Writer
	audit  *audit.Queue
}

// Destruct flushes the buffered rows (to the spool if the database does not
// answer) and audit events, then closes the connections.
func (s *sharedWriter) Destruct() error {
	live.Delete(s)
	err := s.writer.Close()
	s.audit.Close(5 * time.Second)
	s.pool.Close()
	return err
}

type writerConfig struct {
	dsn, spoolDir       string
	buffer, batch       int
	flushInterval       time.Duration
	auditQueue          int
	logger, auditLogger *zap.Logger
}

// poolKey names a shared writer by a hash of its database and spool, so the
// key never holds the secret.
func poolKey(dsn, spoolDir string) string {
	h := sha256.Sum256([]byte(dsn + "\x00" + spoolDir))
	return "meter:" + hex.EncodeToString(h[:8])
}

// dsnHash names a database without revealing its URL (the default spool
// directory is per database, so one database's rows are never replayed
// into another).
func dsnHash(dsn string) string {
	h := sha256.Sum256([]byte(dsn))
	return hex.EncodeToString(h[:6])
}

func loadWriter(cfg writerConfig) (*sharedWriter, string, error) {
	key := poolKey(cfg.dsn, cfg.spoolDir)
	v, loaded, err := writers.LoadOrNew(key, func() (caddy.Destructor, error) {
		pcfg, err := store.PoolConfig(cfg.dsn, "aigw-meter", 2)
		if err != nil {
			return nil, err
		}
		pcfg.ConnConfig.ConnectTimeout = 5 * time.Second
		pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
		if err != nil {
			return nil, fmt.Errorf("creating the meter's database pool: %w", err)
		}
		w, err := usage.NewWriter(usage.NewPGSink(pool), usage.Options{
			SpoolDir: cfg.spoolDir, BufferSize: cfg.buffer, BatchSize: cfg.batch,
			FlushInterval: cfg.flushInterval, Logger: cfg.logger,
		})
		if err != nil {
			pool.Close()
			return nil, err
		}
		aspool, err := audit.OpenSpool(filepath.Join(cfg.spoolDir, "audit.spool"), nil)
		if err != nil {
			w.Close() //nolint:errcheck // nothing was written yet
			pool.Close()
			return nil, err
		}
		s := &sharedWriter{pool: pool, writer: w,
			audit: audit.NewSpooledQueue(audit.NewStore(pool), cfg.auditQueue, aspool, cfg.auditLogger)}
		live.Store(s, struct{}{})
		return s, nil
	})
	if err != nil {
		return nil, "", err
	}
	s := v.(*sharedWriter)
	if loaded {
		s.writer.SetLimits(cfg.buffer, cfg.batch)
	}
	return s, key, nil
}

func releaseWriter(key string) error {
	if key == "" {
		return nil
	}
	_, err := writers.Delete(key)
	return err
}

// processStats sums the live writers' counters.
type processStats struct {
	usage.Stats
	AuditDropped uint64
}

func sumStats() processStats {
	var out processStats
	live.Range(func(k, _ any) bool {
		s := k.(*sharedWriter)
		st := s.writer.Stats()
		out.Buffered += st.Buffered
		out.SpoolBytes += st.SpoolBytes
		out.Spooled += st.Spooled
		out.Lost += st.Lost
		out.Written += st.Written
		out.AuditDropped += s.audit.Dropped()
		return true
	})
	return out
}

var errNoDatabase = errors.New("aigw_meter needs a database: set database_url in the aigw global option")
