package auth

import (
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/store"
)

// ActionInvalidKeys is the audit action of a burst of refused API keys.
const ActionInvalidKeys = "security.invalid_api_keys"

// failureAudit turns bursts of refused keys from one client address into one
// security event per window. A refused request never reaches the meter, so
// auth records these itself; events of unknown keys go on the system chain,
// those of a known (revoked, expired, suspended) key on its tenant's.
type failureAudit struct {
	queue  *audit.Queue
	bursts *audit.BurstDetector
	logger *zap.Logger
}

// newFailureAudit audits bursts into q, the aigw app's one audit queue.
func newFailureAudit(q *audit.Queue, threshold int, window time.Duration, logger *zap.Logger) *failureAudit {
	return &failureAudit{queue: q, bursts: audit.NewBurstDetector(threshold, window, time.Now), logger: logger}
}

// refused counts a refusal; the one that crosses the threshold is audited.
func (f *failureAudit) refused(r *http.Request, rec *store.KeyRecord, reason string) {
	ip := state.ClientIP(r)
	n, crossed := f.bursts.Hit(ip)
	if !crossed {
		return
	}
	e := audit.Event{
		ActorType: audit.ActorSystem, ActorID: "aigw_auth", Action: ActionInvalidKeys,
		ResourceType: "api_key", Outcome: audit.OutcomeDenied, Severity: audit.SeverityWarning,
		ClientIP: ip, Details: map[string]any{
			"refusals": n, "window_seconds": int64(f.bursts.Window.Seconds()), "last_reason": reason,
		},
	}
	if st := state.From(r); st != nil {
		e.RequestID = st.ID
	}
	if rec != nil {
		e.TenantID, e.ResourceID = rec.TenantID, rec.ID
	}
	f.logger.Warn("burst of refused API keys", zap.String("last_reason", reason), zap.Int("refusals", n))
	f.queue.Add(e)
}

// refuse answers 401 (one message whatever the reason) and counts the refusal.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, rec *store.KeyRecord, reason string) {
	state.WriteError(w, r, errUnauthorized)
	if h.failures != nil {
		h.failures.refused(r, rec, reason)
	}
}
