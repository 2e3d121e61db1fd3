package route

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/providers"
)

// outcome is how one provider call ended.
type outcome struct {
	// e is the client's error for a call that failed before anything reached
	// the client; nil when the call answered.
	e *apierr.Error
	// err is the cause worth logging, if any.
	err error
	// written reports that the answer (or part of it) reached the client: the
	// request is over, whatever err says.
	written bool
	// ttft is the time from sending the call to the provider's first byte.
	ttft time.Duration
}

// callFunc makes one call of deployment m of provider p. ctx ends with the
// attempt's timeout, the provider's timeout or the client's departure.
type callFunc func(ctx context.Context, m *catalog.Model, p *catalog.Provider, started func()) outcome

// retryable reports whether another call (a retry or a fallback) may succeed
// where this one failed: rate limits, provider failures, timeouts and
// unreachable providers, and the gateway's own credentials being refused.
func retryable(e *apierr.Error) bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// run tries the deployments of route rt, then its fallbacks, until one
// answers: each deployment per the route's strategy, each call retried per its
// policy after a retryable failure, skipping deployments in cool-down, and
// jumping to the context-window fallbacks when the prompt does not fit. No
// call is made once anything reached the client.
func (h *Handler) run(w http.ResponseWriter, r *http.Request, st *state.Request, rt *catalog.Route, capability string, call callFunc) error {
	queue := []*catalog.Route{rt}
	seen := map[string]bool{rt.Name: true}
	var last *apierr.Error
	var lastErr error
	cooling := time.Duration(0)
	var order [8]*catalog.Model
	for len(queue) > 0 {
		rt, queue = queue[0], queue[1:]
		next := rt.Fallbacks
		for _, m := range h.bal.order(rt, h.deploymentKey, order[:0]) {
			p := h.catalog.Provider(m.Provider)
			if e := h.usable(m, p, capability); e != nil {
				last = e
				continue
			}
			key := h.deploymentKey(m)
			if d := h.bal.coolingFor(key); d > 0 {
				cooling = max(cooling, d)
				continue
			}
			if st.EstPromptTokens > 0 && st.EstPromptTokens+st.EstCompletionTokens > m.ContextWindow && len(rt.ContextWindowFallbacks) > 0 {
				last, next = providers.ContextExceeded("The prompt does not fit the model's context window."), rt.ContextWindowFallbacks
				break
			}
			o, stop := h.tryDeployment(w, r, st, rt, m, p, key, call)
			if stop {
				return o.err
			}
			last, lastErr = o.e, o.err
			if last.Code == providers.CodeContextLength {
				next = rt.ContextWindowFallbacks
				break
			}
			if !retryable(last) {
				break
			}
		}
		if last != nil && !retryable(last) && last.Code != providers.CodeContextLength {
			break
		}
		for _, name := range next {
			if !seen[name] {
				seen[name] = true
				queue = append(queue, h.catalog.RouteNamed(name))
			}
		}
	}
	w.Header().Set("X-Aigw-Attempts", strconv.Itoa(st.Attempts))
	if last == nil || st.Attempts == 0 && cooling > 0 {
		last = apierr.Newf(http.StatusServiceUnavailable, "deployments_cooling_down",
			"Every deployment of `%s` is cooling down after failures; retry later.", st.RequestedModel)
		last.RetryAfter = cooling
	}
	state.WriteError(w, r, last)
	return lastErr
}

// tryDeployment calls one deployment, retrying per the policy. stop reports
// that the request is over (answered, or the client left).
func (h *Handler) tryDeployment(w http.ResponseWriter, r *http.Request, st *state.Request, rt *catalog.Route,
	m *catalog.Model, p *catalog.Provider, key string, call callFunc) (outcome, bool) {
	pol := rt.Policy
	var o outcome
	for try := 0; try <= pol.Retries; try++ {
		if try > 0 && !sleep(r.Context(), h.bal.backoff(pol, try)) {
			return outcome{err: errClientGone}, true
		}
		st.Attempts++
		st.Model, st.Provider, st.Deployment = m, p.Name, p.Name+"/"+m.Upstream
		setRouteHeaders(w, p, m, st.Attempts)
		o = h.attempt(r, m, p, pol, call)
		if o.written || o.e == nil {
			if o.err == nil {
				h.bal.success(key, o.ttft)
			}
			return o, true
		}
		if errors.Is(o.err, errClientGone) || r.Context().Err() != nil {
			return outcome{err: errClientGone}, true
		}
		if !retryable(o.e) {
			return o, false
		}
		limited := o.e.Status == http.StatusTooManyRequests
		if h.bal.failure(key, pol, limited, o.e.RetryAfter) {
			return o, false
		}
		if limited && o.e.RetryAfter > pol.MaxBackoff {
			return o, false
		}
	}
	return o, false
}

// attempt makes one call bounded by the provider's timeout and, until its
// first byte, by the policy's attempt timeout.
func (h *Handler) attempt(r *http.Request, m *catalog.Model, p *catalog.Provider, pol catalog.Policy, call callFunc) outcome {
	ctx, cancel := h.callContext(r, p)
	defer cancel(nil)
	started := func() {}
	if pol.AttemptTimeout > 0 {
		t := time.AfterFunc(pol.AttemptTimeout, func() { cancel(errAttemptTimeout) })
		defer t.Stop()
		started = func() { t.Stop() }
	}
	return call(ctx, m, p, started)
}

// usable checks that deployment m can serve capability now.
func (h *Handler) usable(m *catalog.Model, p *catalog.Provider, capability string) *apierr.Error {
	if !m.Has(capability) {
		return apierr.Newf(http.StatusBadRequest, "unsupported_model",
			"The model `%s` does not support %s.", m.ID, capability).WithParam("model")
	}
	if ok, why := h.servable(p); !ok {
		return apierr.New(http.StatusServiceUnavailable, "provider_unavailable", why)
	}
	return nil
}

// deploymentKey identifies a deployment across reloads and nodes: provider
// base URL and upstream model (two configs calling the same endpoint share
// its health).
func (h *Handler) deploymentKey(m *catalog.Model) string {
	if k, ok := h.keys[m]; ok {
		return k
	}
	p := h.catalog.Provider(m.Provider)
	return p.Type + "|" + p.BaseURL + "|" + m.Upstream
}

func setRouteHeaders(w http.ResponseWriter, p *catalog.Provider, m *catalog.Model, attempts int) {
	h := w.Header()
	state.SetHeaders(h, "X-Aigw-Provider", p.Name, "X-Aigw-Model", m.ID, "X-Aigw-Attempts", strconv.Itoa(attempts))
	h.Del("X-Request-Id")
	h.Del("Retry-After")
}
