package route

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// cooldownPoll is how often a node reads the cool-downs other nodes started.
const cooldownPoll = time.Second

// sharedCooldowns shares cool-downs between nodes through Redis: a node that
// cools a deployment down sets a key that expires with the cool-down, and
// every node reads all its deployments' keys once a second (one MGET), so
// nothing touches Redis on the request path.
type sharedCooldowns struct {
	rdb     *redis.Client
	bal     *balancer
	keys    []string          // deployment keys
	rkeys   []string          // their Redis keys
	pending chan cooldownNote // cool-downs to publish
	cancel  context.CancelFunc
	done    sync.WaitGroup
	logger  *zap.Logger
}

type cooldownNote struct {
	key   string
	until time.Time
}

// redisCooldownKey names a deployment's cool-down in Redis; the deployment
// key holds a URL, so it is hashed.
func redisCooldownKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "aigw:route:cooldown:" + hex.EncodeToString(sum[:12])
}

// shareCooldowns starts sharing bal's cool-downs of keys through rdb; stop
// ends it.
func shareCooldowns(rdb *redis.Client, bal *balancer, keys []string, logger *zap.Logger) *sharedCooldowns {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sharedCooldowns{rdb: rdb, bal: bal, keys: keys, pending: make(chan cooldownNote, 64), cancel: cancel, logger: logger}
	for _, k := range keys {
		s.rkeys = append(s.rkeys, redisCooldownKey(k))
	}
	bal.sinkMu.Lock()
	bal.sinks[s] = true
	bal.sinkMu.Unlock()
	s.done.Add(1)
	go s.loop(ctx)
	return s
}

// publish queues a cool-down for Redis; it never blocks a request.
func (s *sharedCooldowns) publish(key string, until time.Time) {
	select {
	case s.pending <- cooldownNote{key, until}:
	default:
	}
}

func (s *sharedCooldowns) stop() {
	s.bal.sinkMu.Lock()
	delete(s.bal.sinks, s)
	s.bal.sinkMu.Unlock()
	s.cancel()
	s.done.Wait()
}

func (s *sharedCooldowns) loop(ctx context.Context) {
	defer s.done.Done()
	t := time.NewTicker(cooldownPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-s.pending:
			s.write(ctx, n)
		case <-t.C:
			s.read(ctx)
		}
	}
}

func (s *sharedCooldowns) write(ctx context.Context, n cooldownNote) {
	d := time.Until(n.until)
	if d <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	ms := strconv.FormatInt(n.until.UnixMilli(), 10)
	if err := s.rdb.Set(ctx, redisCooldownKey(n.key), ms, d).Err(); err != nil {
		s.logger.Warn("sharing a cool-down through redis", zap.Error(err))
	}
}

// read applies the cool-downs other nodes started.
func (s *sharedCooldowns) read(ctx context.Context) {
	if len(s.rkeys) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	vals, err := s.rdb.MGet(ctx, s.rkeys...).Result()
	if err != nil {
		s.logger.Debug("reading shared cool-downs from redis", zap.Error(err))
		return
	}
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		ms, err := strconv.ParseInt(str, 10, 64)
		if err != nil {
			continue
		}
		if until := time.UnixMilli(ms); until.After(s.bal.now()) {
			s.bal.coolRemote(s.keys[i], until)
		}
	}
}
