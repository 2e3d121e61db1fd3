package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/caddyserver/caddy/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/aigw/aigw/internal/store"
)

// pools holds the clients shared by every loaded config. A reload provisions
// the new config (taking a reference) before the old one is cleaned up
// (dropping its reference), so the connections survive the reload; the last
// reference closes them.
var pools = caddy.NewUsagePool()

type sharedDB struct {
	pool  *pgxpool.Pool
	store *store.Store
}

func (s *sharedDB) Destruct() error { s.pool.Close(); return nil }

type sharedRedis struct{ client *redis.Client }

func (s *sharedRedis) Destruct() error { return s.client.Close() }

// poolKey identifies a shared client by a hash of its settings, so the key
// never holds the secret itself.
func poolKey(kind string, parts ...any) string {
	h := sha256.Sum256([]byte(fmt.Sprint(parts...)))
	return kind + ":" + hex.EncodeToString(h[:8])
}

func (a *App) provisionDB(dsn string) error {
	maxConns := a.MaxDBConns
	if maxConns == 0 {
		maxConns = 16
	}
	key := poolKey("pg", dsn, maxConns)
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
		return &sharedDB{pool: pool, store: store.New(pool)}, nil
	})
	if err != nil {
		return fmt.Errorf("database_url: %w", err)
	}
	a.db, a.dbKey = v.(*sharedDB), key
	return nil
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
