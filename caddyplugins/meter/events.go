package meter

import (
	"math"
	"net/http"
	"os"

	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/money"
)

// Audit actions the meter records.
const (
	ActionAPIRequest     = "api.request"
	ActionGuardrail      = "guardrail.triggered"
	ActionRateLimitAbuse = "security.rate_limit_abuse"
	ActionConfigReload   = "config.reload"
)

// audit queues the request's audit events: the request itself (metadata
// only: never prompt or answer text), a guardrail's action, and rate-limit
// abuse when the key crosses the threshold.
func (h *Handler) audit(r *http.Request, st *state.Request, o *outcome, c money.Pico) {
	q := h.auditq
	base := audit.Event{
		TenantID: st.Key.TenantID, ActorType: audit.ActorAPIKey, ActorID: st.Key.ID,
		ResourceType: "model", ResourceID: modelID(st), ClientIP: state.ClientIP(r), RequestID: st.ID,
	}
	if !h.DisableAuditRequests {
		e := base
		e.Action, e.Outcome = ActionAPIRequest, outcomeOf(st, o.status)
		// Integers and the fixed endpoint path skip the sanitizer's patterns,
		// so the request's own event costs little (the actor is the key's id;
		// its display prefix would be masked as a key anyway).
		e.Details = map[string]any{"endpoint": o.endpoint, "status": o.status, "cost_picousd": int64(c)}
		if st.ErrorCode != "" {
			e.Details["error_code"] = st.ErrorCode
		}
		q.Add(e)
	}
	if st.GuardrailAction != "" {
		e := base
		e.Action, e.Outcome, e.Severity = ActionGuardrail, outcomeOf(st, o.status), audit.SeverityWarning
		e.Details = map[string]any{"action": st.GuardrailAction, "status": o.status, "endpoint": o.endpoint}
		if len(st.GuardrailFindings) > 0 {
			counts := make(map[string]any, len(st.GuardrailFindings))
			for id, n := range st.GuardrailFindings {
				counts[id] = n
			}
			e.Details["detectors"] = counts
		}
		if len(st.GuardrailFeatures) > 0 {
			fs := make(map[string]any, len(st.GuardrailFeatures))
			for id, f := range st.GuardrailFeatures {
				l := make([]any, len(f))
				for i, s := range f {
					l[i] = s
				}
				fs[id] = l
			}
			e.Details["learned_features"] = fs
		}
		if len(st.GuardrailScores) > 0 {
			sc := make(map[string]any, len(st.GuardrailScores))
			for id, s := range st.GuardrailScores {
				sc[id] = math.Round(s*1000) / 1000
			}
			e.Details["learned_scores"] = sc
		}
		q.Add(e)
	}
	if o.status == http.StatusTooManyRequests && !upstreamFailure(st, o.status) {
		if n, crossed := h.abuse.Hit(st.Key.ID); crossed {
			h.logger.Warn("rate-limit abuse: a key keeps hitting its limits",
				zap.String("key_prefix", st.Key.Prefix), zap.String("tenant", st.Key.TenantSlug), zap.Int("refusals", n))
			e := base
			e.Action, e.Outcome, e.Severity = ActionRateLimitAbuse, audit.OutcomeDenied, audit.SeverityWarning
			e.ResourceType, e.ResourceID = "api_key", st.Key.ID
			e.Details = map[string]any{
				"refusals": n, "window_seconds": int64(h.abuse.Window.Seconds()), "error_code": st.ErrorCode,
			}
			q.Add(e)
		}
	}
}

func modelID(st *state.Request) string {
	if st.Model != nil {
		return st.Model.ID
	}
	return ""
}

// outcomeOf classifies a request for the audit trail: refused by the
// gateway (denied), failed, or served.
func outcomeOf(st *state.Request, status int) string {
	switch {
	case status < 400:
		return audit.OutcomeSuccess
	case status == http.StatusUnauthorized || status == http.StatusForbidden || st.GuardrailAction == "block" ||
		status == http.StatusTooManyRequests && !upstreamFailure(st, status):
		return audit.OutcomeDenied
	}
	return audit.OutcomeFailure
}

// configLoadedEvent is the system-chain event of a configuration load.
func configLoadedEvent() audit.Event {
	host, _ := os.Hostname()
	return audit.Event{
		Action: ActionConfigReload, ActorType: audit.ActorSystem, ActorID: "aigw",
		ResourceType: "config", ResourceID: host, Details: map[string]any{"pid": os.Getpid()},
	}
}
