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

// buildFunc builds one attempt's call of deployment m with its provider's
// adapter.
type buildFunc func(a providers.Adapter, m *catalog.Model) (*providers.Call, error)

// outcome is how one provider call ended.
type outcome struct {
	// err is nil when the call answered; otherwise the failure, with the
	// client's *apierr.Error in its chain when nothing reached the client, or
	// errClientGone.
	err error
	// written reports that the answer (or part of it) reached the client: the
	// request is over, whatever err says.
	written bool
	// ttft is the time from sending the call to the provider's first byte.
	ttft time.Duration
}

// retryable reports whether another call (a retry or a fallback) may succeed
// where this one failed: rate limits, provider failures, timeouts and
// unreachable providers, and the gateway's own credentials being refused.
func retryable(err error) bool {
	e := apierr.From(err)
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

func isContextLength(err error) bool { return apierr.From(err).Code == providers.CodeContextLength }

// run tries the deployments of route rt, then its fallbacks, until one
// answers: each deployment per the route's strategy, each call retried per its
// policy after a retryable failure, skipping deployments in cool-down, and
// jumping to the context-window fallbacks when the prompt does not fit. No
// call is made once anything reached the client.
func (h *Handler) run(w http.ResponseWriter, r *http.Request, st *state.Request, rt *catalog.Route, capability string, build buildFunc) error {
	queue := []*catalog.Route{rt}
	seen := map[string]bool{rt.Name: true}
	var last error
	cooling := time.Duration(0)
	var order [8]*catalog.Model
	for len(queue) > 0 {
		rt, queue = queue[0], queue[1:]
		next := rt.Fallbacks
		deps := h.bal.order(rt, h.deploymentKey, order[:0])
		for i, m := range deps {
			p := h.catalog.Provider(m.Provider)
			if err := h.usable(m, p, capability); err != nil {
				last = err
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
			alone := len(queue) == 0 && !h.unseen(next, seen) && !h.anyReady(deps[i+1:], capability)
			o, stop := h.tryDeployment(w, r, st, rt, m, p, key, alone, build)
			if stop {
				return o.err
			}
			last = o.err
			if isContextLength(last) {
				next = rt.ContextWindowFallbacks
				break
			}
			if !retryable(last) {
				break
			}
		}
		if last != nil && !retryable(last) && !isContextLength(last) {
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
		e := apierr.Newf(http.StatusServiceUnavailable, "deployments_cooling_down",
			"Every deployment of `%s` is cooling down after failures; retry later.", st.RequestedModel)
		e.RetryAfter = cooling
		last = e
	}
	state.WriteError(w, r, last)
	if st.Attempts == 0 {
		return nil // refused before any call: nothing worth logging
	}
	return last
}

// unseen reports whether names holds a route not tried yet.
func (h *Handler) unseen(names []string, seen map[string]bool) bool {
	for _, n := range names {
		if !seen[n] {
			return true
		}
	}
	return false
}

// anyReady reports whether one of deps could take a call now.
func (h *Handler) anyReady(deps []*catalog.Model, capability string) bool {
	for _, m := range deps {
		if h.usable(m, h.catalog.Provider(m.Provider), capability) == nil && h.bal.coolingFor(h.deploymentKey(m)) == 0 {
			return true
		}
	}
	return false
}

// tryDeployment calls one deployment, retrying per the policy. A rate limit
// (429) is retried on the same deployment only when it is alone (no other
// deployment or fallback can take the call), after the provider's
// Retry-After when that fits the policy's max_backoff and the request's
// deadline; otherwise the call moves on. stop reports that the request is
// over (answered, or the client left).
func (h *Handler) tryDeployment(w http.ResponseWriter, r *http.Request, st *state.Request, rt *catalog.Route,
	m *catalog.Model, p *catalog.Provider, key string, alone bool, build buildFunc) (outcome, bool) {
	pol := rt.Policy
	var o outcome
	for try := 0; try <= pol.Retries; try++ {
		if try > 0 {
			wait := h.bal.backoff(pol, try)
			if ra := apierr.From(o.err).RetryAfter; ra > 0 {
				wait = ra // the provider said when
			}
			if !sleep(r.Context(), wait) {
				return outcome{err: errClientGone}, true
			}
		}
		st.Attempts++
		st.Model, st.Provider, st.Deployment = m, p.Name, p.Name+"/"+m.Upstream
		setRouteHeaders(w, p, m, st.Attempts)
		o = h.attempt(w, r, st, m, p, pol, build)
		if o.written || o.err == nil {
			if o.err == nil {
				h.bal.success(key, o.ttft)
			}
			return o, true
		}
		if errors.Is(o.err, errClientGone) || r.Context().Err() != nil {
			return outcome{err: errClientGone}, true
		}
		if !retryable(o.err) {
			return o, false
		}
		e := apierr.From(o.err)
		if h.bal.failure(key, pol, e.RetryAfter) {
			return o, false // cooling down now
		}
		if e.Status == http.StatusTooManyRequests && (!alone || !h.fits(r, st, p, pol, e.RetryAfter)) {
			return o, false
		}
	}
	return o, false
}

// fits reports whether waiting d before a retry stays within the policy's
// max_backoff and the request's deadline: the client's own, if its request
// has one, and the provider's timeout from the request's start.
func (h *Handler) fits(r *http.Request, st *state.Request, p *catalog.Provider, pol catalog.Policy, d time.Duration) bool {
	if d > pol.MaxBackoff {
		return false
	}
	at := time.Now().Add(d)
	if dl, ok := r.Context().Deadline(); ok && at.After(dl) {
		return false
	}
	return p.Timeout <= 0 || at.Before(st.Start.Add(p.Timeout))
}

// attempt builds and makes one call, bounded by the provider's timeout and,
// until its first byte, by the policy's attempt timeout.
func (h *Handler) attempt(w http.ResponseWriter, r *http.Request, st *state.Request, m *catalog.Model, p *catalog.Provider,
	pol catalog.Policy, build buildFunc) outcome {
	a := h.adapters[p.Name]
	call, err := build(a, m)
	if err != nil {
		return outcome{err: err}
	}
	ctx, cancel := h.callContext(r, p)
	defer cancel(nil)
	started := func() {}
	if pol.AttemptTimeout > 0 {
		t := time.AfterFunc(pol.AttemptTimeout, func() { cancel(errAttemptTimeout) })
		defer t.Stop()
		started = func() { t.Stop() }
	}
	return h.exchange(ctx, w, st, a, p, call, started)
}

// callContext bounds the provider call by the provider's timeout (cause
// errProviderTimeout) and ends it with the request when the client goes away
// (cause context.Canceled: see clientGone). One context and one timer: it
// runs for every call.
func (h *Handler) callContext(r *http.Request, p *catalog.Provider) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(r.Context())
	if p.Timeout <= 0 {
		return ctx, cancel
	}
	t := time.AfterFunc(p.Timeout, func() { cancel(errProviderTimeout) })
	return ctx, func(err error) { t.Stop(); cancel(err) }
}

// clientGone reports whether a call's context ended because the client went
// away: the request's own cancellation, not a timeout of ours.
func clientGone(ctx context.Context) bool {
	return ctx.Err() != nil && context.Cause(ctx) == context.Canceled
}

// usable checks that deployment m can serve capability now.
func (h *Handler) usable(m *catalog.Model, p *catalog.Provider, capability string) error {
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

// sleep waits d or until ctx ends; it reports whether it waited the whole d.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
