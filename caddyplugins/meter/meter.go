// Package meter is the aigw_meter handler: it sits right after aigw_auth,
// times every authenticated request, and after the rest of the chain returns
// records what happened — a usage row (tokens as reported and as estimated,
// exact cost, latency, time to first token, status, refusal code, guardrail
// outcome), Prometheus metrics, an access log line and audit events — all off
// the request path: rows go to a bounded buffer written to PostgreSQL in COPY
// batches, spooled to disk while the database is slow or down.
//
// It sets the headers X-Aigw-Request-Id, X-Aigw-Cost (US dollars, twelve
// decimals; a trailer on streams, whose cost is known only at the end) and
// X-Aigw-Overhead-Ms (time spent in the gateway before the answer's header,
// provider excluded).
package meter

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/app"
	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/usage"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Handler meters gateway requests.
type Handler struct {
	// SpoolDir is where usage rows wait on disk while PostgreSQL is slow or
	// down (default: <Caddy data dir>/aigw/usage-spool/<database hash>).
	// Placeholders are expanded. Rows left there by a previous run are
	// replayed at start.
	SpoolDir string `json:"spool_dir,omitempty"`
	// BufferSize bounds the usage rows held in memory (default 65536, about
	// 30 MB); beyond it rows go straight to the spool.
	BufferSize int `json:"buffer_size,omitempty"`
	// BatchSize is the most rows per COPY (default 2000).
	BatchSize int `json:"batch_size,omitempty"`
	// FlushInterval is the longest a row waits before it is written
	// (default 200ms).
	FlushInterval caddy.Duration `json:"flush_interval,omitempty"`
	// DisableAccessLog turns off the per-request access log line.
	DisableAccessLog bool `json:"disable_access_log,omitempty"`
	// DisableAuditRequests turns off the api.request audit event recorded
	// for every request (security and configuration events stay on).
	DisableAuditRequests bool `json:"disable_audit_requests,omitempty"`
	// AbuseThreshold and AbuseWindow define rate-limit abuse: a key refused
	// with 429 AbuseThreshold times within AbuseWindow raises one security
	// audit event (defaults 50 and 1m).
	AbuseThreshold int            `json:"abuse_threshold,omitempty"`
	AbuseWindow    caddy.Duration `json:"abuse_window,omitempty"`

	hasDB     bool
	bodyLimit int64
	writer    *usage.Writer
	auditq    *audit.Queue
	abuse     *audit.BurstDetector
	logger    *zap.Logger
	access    *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.aigw_meter", New: func() caddy.Module { return new(Handler) }}
}

// Provision sets defaults, takes the usage writer and the audit queue from
// the aigw app (shared, kept across reloads) and registers the metrics.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	h.access = h.logger.Named("access")
	a, err := app.Load(ctx)
	if err != nil {
		return err
	}
	h.bodyLimit = a.MaxRequestBody
	h.setDefaults()
	if h.auditq = a.Audit(); h.auditq == nil {
		return nil // no database: Validate reports it
	}
	h.hasDB = true
	h.writer, err = a.UsageWriter(app.UsageOptions{
		SpoolDir: caddy.NewReplacer().ReplaceKnown(h.SpoolDir, ""), BufferSize: h.BufferSize,
		BatchSize: h.BatchSize, FlushInterval: time.Duration(h.FlushInterval),
	})
	if err != nil {
		return fmt.Errorf("aigw_meter: %w", err)
	}
	h.abuse = audit.NewBurstDetector(h.AbuseThreshold, time.Duration(h.AbuseWindow), time.Now)
	if err := registerMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("aigw_meter: registering metrics: %w", err)
	}
	go h.announceWhenLive(ctx)
	return nil
}

func (h *Handler) setDefaults() {
	if h.BufferSize == 0 {
		h.BufferSize = 65536
	}
	if h.BatchSize == 0 {
		h.BatchSize = 2000
	}
	if h.FlushInterval == 0 {
		h.FlushInterval = caddy.Duration(200 * time.Millisecond)
	}
	if h.AbuseThreshold == 0 {
		h.AbuseThreshold = 50
	}
	if h.AbuseWindow == 0 {
		h.AbuseWindow = caddy.Duration(time.Minute)
	}
}

// Validate checks the configuration.
func (h *Handler) Validate() error {
	if !h.hasDB {
		return errNoDatabase
	}
	if h.BufferSize < 1 || h.BatchSize < 1 || h.BatchSize > h.BufferSize {
		return fmt.Errorf("aigw_meter: batch_size %d must be between 1 and buffer_size %d", h.BatchSize, h.BufferSize)
	}
	if h.FlushInterval <= 0 || h.AbuseWindow <= 0 || h.AbuseThreshold < 1 {
		return errors.New("aigw_meter: flush_interval, abuse_window and abuse_threshold must be positive")
	}
	return nil
}

// Cleanup flushes what this config buffered: a reload writes everything out
// before the old config goes. The aigw app releases the writer itself.
func (h *Handler) Cleanup() error {
	if h.writer == nil {
		return nil
	}
	ctx, cancel := timeoutCtx(2 * time.Second)
	defer cancel()
	if err := h.writer.Flush(ctx); err != nil {
		h.logger.Warn("flushing usage rows at config unload", zap.Error(err))
	}
	return nil
}

var errNoDatabase = errors.New("aigw_meter needs a database: set database_url in the aigw global option")

// announced remembers the configs whose load was audited, so a config with
// several aigw_meter handlers records one event.
var announced sync.Map

// announceWhenLive records a config.reload audit event once this handler's
// config is the running one. `aigw validate` and a failed load provision the
// config but never run it: their context ends first and nothing is recorded.
func (h *Handler) announceWhenLive(ctx caddy.Context) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// A handler's context wraps the config's root context (adding its
		// server): the same config shares the root's Done channel.
		if active := caddy.ActiveContext(); active.Context == nil || active.Done() != ctx.Done() {
			continue
		}
		if _, dup := announced.LoadOrStore(ctx.Done(), true); !dup {
			h.auditq.Add(configLoadedEvent())
			done := ctx.Done()
			go func() { <-done; announced.Delete(done) }()
		}
		return
	}
}

// ServeHTTP times the request, runs the rest of the chain through a
// recording writer and records the outcome.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	r, st := state.Attach(r, h.bodyLimit)
	x := &exchange{h: h, st: st, rec: recorder{ResponseWriter: w}}
	state.SetHeaders(w.Header(), "X-Aigw-Request-Id", st.ID)
	x.rec.beforeHeader = x.beforeHeader
	err := next.ServeHTTP(&x.rec, r)
	end := time.Now()
	if !x.rec.wroteHeader {
		x.headerOverhead = h.overhead(st, end)
	}
	x.record(r, err, end)
	return err
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddy.CleanerUpper          = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
