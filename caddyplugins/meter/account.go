package meter

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/money"
	"github.com/aigw/aigw/internal/usage"
)

// providerTime is the time from the first provider call to the last answer's
// header (retries and fallbacks included), as the router records it, or 0
// when no call was made.
func providerTime(st *state.Request, now time.Time) time.Duration {
	if st.ProviderCalled.IsZero() {
		return 0
	}
	last := st.ProviderAnswered
	if last.Before(st.ProviderCalled) { // still waiting for the answer
		last = now
	}
	return last.Sub(st.ProviderCalled)
}

// overhead is the gateway's own time up to now: elapsed time minus the
// provider's (an in-process mock provider's simulated latency included).
func (h *Handler) overhead(st *state.Request, now time.Time) time.Duration {
	return max(now.Sub(st.Start)-providerTime(st, now), 0)
}

// exchange is what the meter keeps about one request, in one allocation:
// it runs for every request.
type exchange struct {
	h   *Handler
	st  *state.Request
	rec recorder
	// headerOverhead is the gateway's time before the answer's header.
	headerOverhead time.Duration
	// cost and costUSD remember the last amount formatted, which the
	// header or trailer and the access log share.
	cost    money.Pico
	costUSD string
}

// usd formats c as usd does, reusing the last result for the same amount.
func (x *exchange) usd(c money.Pico) string {
	if x.costUSD == "" || c != x.cost {
		x.cost, x.costUSD = c, usd(c)
	}
	return x.costUSD
}

// beforeHeader adds the cost and overhead headers just before the header
// goes out. A stream's cost is known only at its end: it is announced as a
// trailer.
func (x *exchange) beforeHeader(hdr http.Header, status int, now time.Time) {
	x.headerOverhead = x.h.overhead(x.st, now)
	ovh := strconv.FormatFloat(float64(x.headerOverhead.Microseconds())/1000, 'f', 3, 64)
	if x.st.Stream && status < 400 {
		state.SetHeaders(hdr, "X-Aigw-Overhead-Ms", ovh)
		hdr.Add("Trailer", "X-Aigw-Cost")
		return
	}
	_, c := x.st.Bill()
	state.SetHeaders(hdr, "X-Aigw-Overhead-Ms", ovh, "X-Aigw-Cost", x.usd(c))
}

// record accounts for a finished request: usage row, metrics, access log and
// audit events. Requests that did not pass authentication have no key: they
// are aigw_auth's to report.
func (x *exchange) record(r *http.Request, herr error, end time.Time) {
	h, st, rec := x.h, x.st, &x.rec
	if st.Key == nil || h.writer == nil {
		return
	}
	o := outcome{status: rec.status, endpoint: st.Path, end: end}
	if !rec.wroteHeader {
		o.status = unwrittenStatus(r, herr)
	}
	b, c := st.Bill()
	if st.Stream && rec.wroteHeader && o.status < 400 {
		state.SetHeaders(rec.Header(), "X-Aigw-Cost", x.usd(c)) // the trailer announced in beforeHeader
	}
	row := buildRecord(st, &o, b, c)
	if err := h.writer.Add(row); err != nil {
		h.logger.Error("usage row refused", zap.String("request_id", st.ID), zap.Error(err))
	}
	observe(st, &o, b, picoToUSD(c), x.headerOverhead.Seconds())
	if !h.DisableAccessLog {
		h.logAccess(st, &o, b, x.usd(c), x.headerOverhead)
	}
	h.audit(r, st, &o, c)
}

// unwrittenStatus is the status of a request whose handlers wrote nothing.
func unwrittenStatus(r *http.Request, herr error) int {
	var he caddyhttp.HandlerError
	switch {
	case errors.As(herr, &he) && he.StatusCode != 0:
		return he.StatusCode
	case herr != nil:
		return http.StatusInternalServerError
	case r.Context().Err() != nil:
		return statusClientClosed
	}
	return http.StatusOK
}

func picoToUSD(p money.Pico) float64 { return float64(p) / 1e12 }

// logAccess writes the access log line; costUSD is the cost as usd formats it.
func (h *Handler) logAccess(st *state.Request, o *outcome, b usage.Bill, costUSD string, ovh time.Duration) {
	ce := h.access.Check(zap.InfoLevel, "request")
	if ce == nil {
		return
	}
	model := ""
	if st.Model != nil {
		model = st.Model.ID
	}
	// The fields (1.2 KB) come from a pool: given to Write directly they
	// escaped to the heap on every request. zap's cores encode or copy them
	// within Write.
	f := accessFields.Get().(*[accessFieldCount]zap.Field)
	*f = [accessFieldCount]zap.Field{
		zap.String("request_id", st.ID), zap.String("key_prefix", st.Key.Prefix), zap.String("tenant", st.Key.TenantSlug),
		zap.String("endpoint", o.endpoint), zap.String("model", model), zap.String("provider", st.Provider),
		zap.Int("status", o.status), zap.String("error_code", st.ErrorCode),
		zap.Int("prompt_tokens", b.Prompt), zap.Int("completion_tokens", b.Completion), zap.Int("cached_tokens", b.Cached),
		zap.Bool("tokens_counted", b.Source == usage.Counted || b.Source == usage.Estimated), zap.String("cost_usd", costUSD), zap.Bool("stream", st.Stream),
		zap.Int("attempts", st.Attempts), zap.Duration("latency", o.end.Sub(st.Start)),
		zap.Duration("overhead", ovh), zap.String("guardrail", st.GuardrailAction),
	}
	ce.Write(f[:]...)
	*f = [accessFieldCount]zap.Field{} // no request's strings kept alive in the pool
	accessFields.Put(f)
}

const accessFieldCount = 18

var accessFields = sync.Pool{New: func() any { return new([accessFieldCount]zap.Field) }}

func timeoutCtx(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
