package auth

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/store"
)

// notifyChannel is the PostgreSQL channel that schema migration 0005's
// triggers notify on every change of a key, tenant or user.
const notifyChannel = "aigw_auth"

// listen keeps a LISTEN connection open until ctx ends, applying each change
// notification to the cache. After every (re)connection it marks the whole
// cache stale, since notifications sent while it was away are lost.
func (h *Handler) listen(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := h.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		h.logger.Warn("key change notifications interrupted; reconnecting", zap.Error(err), zap.Duration("after", backoff))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

func (h *Handler) listenOnce(ctx context.Context) error {
	pc, err := h.store.Pool().Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquiring a connection to listen on: %w", err)
	}
	// Take the connection out of the pool: it stays busy for as long as we listen.
	conn := pc.Hijack()
	defer func() {
		// Bounded: a hung server must not hold up a reload's Cleanup.
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx) //nolint:errcheck
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{notifyChannel}.Sanitize()); err != nil {
		return fmt.Errorf("listening on %s: %w", notifyChannel, err)
	}
	h.cache.staleAll()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("waiting for key change notifications: %w", err)
		}
		h.applyChange(n.Payload)
	}
}

// applyChange drops what a notification says has changed.
func (h *Handler) applyChange(payload string) {
	kind, id, _ := strings.Cut(payload, ":")
	switch kind {
	case "key":
		var hash apikey.Hash
		if b, err := hex.DecodeString(id); err == nil && len(b) == len(hash) {
			copy(hash[:], b)
			h.cache.drop(hash)
			return
		}
	case "tenant":
		h.cache.dropWhere(func(r *store.KeyRecord) bool { return r.TenantID == id })
		return
	case "user":
		h.cache.dropWhere(func(r *store.KeyRecord) bool { return r.UserID == id })
		return
	}
	h.logger.Warn("ignoring a malformed key change notification", zap.String("kind", kind))
}
