package meter

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/money"
)

// providerTimer learns, through an httptrace hook on the request's context
// (which the router's provider call inherits), when the first provider call
// started and when the last provider answer began. Hooks run on transport
// goroutines, hence the atomics.
type providerTimer struct {
	firstCall  atomic.Int64 // unix nanoseconds
	lastAnswer atomic.Int64
}

func (p *providerTimer) attach(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) {
			p.firstCall.CompareAndSwap(0, time.Now().UnixNano())
		},
		GotFirstResponseByte: func() { p.lastAnswer.Store(time.Now().UnixNano()) },
	})
}

// providerTime is the time from the first provider call to the last answer's
// first byte (retries and fallbacks included), or 0 when no call was made.
func (p *providerTimer) providerTime(now time.Time) time.Duration {
	first := p.firstCall.Load()
	if first == 0 {
		return 0
	}
	last := p.lastAnswer.Load()
	if last == 0 || last < first {
		last = now.UnixNano()
	}
	return time.Duration(last - first)
}

// overhead is the gateway's own time up to now: elapsed time minus the
// provider's. An in-process mock provider's simulated latency counts as
// provider time.
func (h *Handler) overhead(st *state.Request, pt *providerTimer, now time.Time) time.Duration {
	d := now.Sub(st.Start) - pt.providerTime(now)
	if pt.firstCall.Load() == 0 && st.Attempts > 0 && h.catalog != nil {
		if p := h.catalog.Provider(st.Provider); p != nil && p.Type == catalog.TypeMock {
			d -= p.MockLatency
		}
	}
	return max(d, 0)
}

// setHeaders adds the cost and overhead headers just before the header goes
// out. A stream's cost is known only at its end: it is announced as a trailer.
func (h *Handler) setHeaders(hdr http.Header, st *state.Request, status int, overhead time.Duration) {
	hdr.Set("X-Aigw-Overhead-Ms", strconv.FormatFloat(float64(overhead.Microseconds())/1000, 'f', 3, 64))
	if st.Stream && status < 400 {
		hdr.Add("Trailer", "X-Aigw-Cost")
		return
	}
	o := outcome{status: status}
	p, c, comp, _ := tokens(st, &o)
	hdr.Set("X-Aigw-Cost", usd(cost(st, p, c, comp)))
}

// record accounts for a finished request: usage row, metrics, access log and
// audit events. Requests that did not pass authentication have no key: they
// are aigw_auth's to report.
func (h *Handler) record(r *http.Request, st *state.Request, rec *recorder, herr error, end time.Time, ovh time.Duration) {
	if st.Key == nil || h.shared == nil {
		return
	}
	o := outcome{status: rec.status, endpoint: endpointOf(r.URL.Path), end: end, promptBytes: max(int(r.ContentLength), 0)}
	if !rec.wroteHeader {
		o.status = unwrittenStatus(r, herr)
	}
	if rec.sse != nil {
		o.streamed = rec.sse.content
	}
	prompt, cached, completion, counted := tokens(st, &o)
	c := cost(st, prompt, cached, completion)
	if st.Stream && rec.wroteHeader && o.status < 400 {
		rec.Header().Set("X-Aigw-Cost", usd(c)) // the trailer announced in setHeaders
	}
	row := buildRecord(st, &o, prompt, cached, completion, c)
	if err := h.shared.writer.Add(row); err != nil {
		h.logger.Error("usage row refused", zap.String("request_id", st.ID), zap.Error(err))
	}
	observe(st, &o, prompt, cached, completion, picoToUSD(c), ovh.Seconds())
	if !h.DisableAccessLog {
		h.logAccess(st, &o, prompt, cached, completion, c, ovh, counted)
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

func (h *Handler) logAccess(st *state.Request, o *outcome, prompt, cached, completion int, c money.Pico, ovh time.Duration, counted bool) {
	ce := h.access.Check(zap.InfoLevel, "request")
	if ce == nil {
		return
	}
	model := ""
	if st.Model != nil {
		model = st.Model.ID
	}
	ce.Write(
		zap.String("request_id", st.ID), zap.String("key_prefix", st.Key.Prefix), zap.String("tenant", st.Key.TenantSlug),
		zap.String("endpoint", o.endpoint), zap.String("model", model), zap.String("provider", st.Provider),
		zap.Int("status", o.status), zap.String("error_code", st.ErrorCode),
		zap.Int("prompt_tokens", prompt), zap.Int("completion_tokens", completion), zap.Int("cached_tokens", cached),
		zap.Bool("tokens_counted", counted), zap.String("cost_usd", usd(c)), zap.Bool("stream", st.Stream),
		zap.Int("attempts", st.Attempts), zap.Duration("latency", o.end.Sub(st.Start)),
		zap.Duration("overhead", ovh), zap.String("guardrail", st.GuardrailAction),
	)
}

func timeoutCtx(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
