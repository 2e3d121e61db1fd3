package server

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	addRoutes(
		Route{Method: "GET", Path: "/audit/logs", Perm: PermAuditRead, Handle: auditLogs,
			Doc: Doc{Tag: "audit", Summary: "The tenant's audit events, newest first", Query: auditQuery{}, Response: List[AuditEvent]{}}},
		Route{Method: "GET", Path: "/audit/summary", Perm: PermAuditSummary, Handle: auditSummary,
			Doc: Doc{Tag: "audit", Summary: "Audit event counts by action and day (UTC)", Query: auditPeriod{}, Response: AuditSummary{}}},
		Route{Method: "POST", Path: "/audit/export", Perm: PermAuditExport, Handle: auditExport,
			Doc: Doc{Tag: "audit", Summary: "Export the audit trail as CSV or JSON lines (streamed; the export is itself audited)",
				Request: exportRequest{}, Response: "", ContentTypes: []string{"text/csv", "application/x-ndjson"}}},
		Route{Method: "GET", Path: "/audit/security-events", Perm: PermAuditRead, Handle: securityEvents,
			Doc: Doc{Tag: "audit", Summary: "Security events: failed sign-ins, refused key bursts, permission denials, guardrail blocks, limit abuse",
				Query: auditQuery{}, Response: List[AuditEvent]{}}},
		Route{Method: "GET", Path: "/audit/verify", Perm: PermAuditRead, Handle: auditVerify,
			Doc: Doc{Tag: "audit", Summary: "Check the tenant's hash chain; the first broken link is named", Response: AuditVerification{}}},
	)
}

// auditPeriod is an audit query's period.
type auditPeriod struct {
	From time.Time `query:"from" doc:"start, RFC 3339 (default: 30 days ago)"`
	To   time.Time `query:"to" doc:"end, exclusive, RFC 3339 (default: now)"`
}

type auditQuery struct {
	PageQuery
	auditPeriod
	Action   string `query:"action" doc:"an action such as auth.login, or a prefix such as security.*"`
	Actor    string `query:"actor" doc:"the acting user's, key's or component's id"`
	Resource string `query:"resource" doc:"a resource type such as user, or type:id"`
	Outcome  string `query:"outcome" enum:"success,failure,denied"`
}

// AuditEvent is an audit event as stored: sanitized, chained.
type AuditEvent struct {
	ID           int64           `json:"id"`
	Seq          int64           `json:"seq" doc:"position in the tenant's hash chain"`
	OccurredAt   time.Time       `json:"occurred_at"`
	ActorType    string          `json:"actor_type" enum:"user,api_key,system"`
	ActorID      string          `json:"actor_id"`
	Action       string          `json:"action"`
	ResourceType string          `json:"resource_type"`
	ResourceID   string          `json:"resource_id"`
	Outcome      string          `json:"outcome" enum:"success,failure,denied"`
	Severity     string          `json:"severity" enum:"info,warning,critical"`
	ClientIP     string          `json:"client_ip" doc:"masked"`
	RequestID    string          `json:"request_id"`
	Details      json.RawMessage `json:"details"`
}

func auditView(r *tenantdb.AuditRow) AuditEvent {
	return AuditEvent{ID: r.ID, Seq: r.Seq, OccurredAt: r.OccurredAt.UTC(), ActorType: r.ActorType, ActorID: r.ActorID,
		Action: r.Action, ResourceType: r.ResourceType, ResourceID: r.ResourceID, Outcome: r.Outcome, Severity: r.Severity,
		ClientIP: r.ClientIP, RequestID: r.RequestID, Details: r.Details}
}

func (q *auditQuery) filter(c *Call) (tenantdb.AuditFilter, tenantdb.Page, error) {
	if err := c.Query(q); err != nil {
		return tenantdb.AuditFilter{}, tenantdb.Page{}, err
	}
	p, err := q.page()
	if err != nil {
		return tenantdb.AuditFilter{}, p, err
	}
	pq := periodQuery(q.auditPeriod)
	defaultPeriod(&pq, c.srv.now())
	if err := pq.resolve(c.srv.now()); err != nil {
		return tenantdb.AuditFilter{}, p, err
	}
	switch q.Outcome {
	case "", audit.OutcomeSuccess, audit.OutcomeFailure, audit.OutcomeDenied:
	default:
		return tenantdb.AuditFilter{}, p, badField("outcome", "want success, failure or denied")
	}
	f := tenantdb.AuditFilter{Action: q.Action, ActorID: q.Actor, Outcome: q.Outcome, From: pq.From, To: pq.To}
	f.ResourceType, f.ResourceID, _ = strings.Cut(q.Resource, ":")
	return f, p, nil
}

// defaultPeriod makes an audit query's period the last 30 days by default,
// its end a minute ahead so that events of writers whose clocks run a
// little fast are not left out.
func defaultPeriod(q *periodQuery, now time.Time) {
	if q.To.IsZero() {
		q.To = now.Add(time.Minute)
	}
	if q.From.IsZero() {
		q.From = now.Add(-30 * 24 * time.Hour)
	}
}

func auditLogs(c *Call) error { return listAudit(c, false) }

func securityEvents(c *Call) error { return listAudit(c, true) }

func listAudit(c *Call, security bool) error {
	var q auditQuery
	f, p, err := q.filter(c)
	if err != nil {
		return err
	}
	f.Security = security
	rows, total, err := c.Store().AuditLogs(c.R.Context(), f, p)
	if err != nil {
		return err
	}
	out := List[AuditEvent]{Data: make([]AuditEvent, 0, len(rows)), Total: total}
	for i := range rows {
		out.Data = append(out.Data, auditView(&rows[i]))
	}
	return c.JSON(http.StatusOK, out)
}

// AuditSummary is GET /audit/summary's answer.
type AuditSummary struct {
	From   time.Time    `json:"from"`
	To     time.Time    `json:"to"`
	ByDay  []AuditCount `json:"by_day" doc:"one entry per day (UTC) and action that had events"`
	Totals []AuditCount `json:"totals" doc:"per action over the period (day is empty)"`
}

// AuditCount counts the events of one action (on one day).
type AuditCount struct {
	Day    string `json:"day,omitempty" doc:"YYYY-MM-DD"`
	Action string `json:"action"`
	Count  int64  `json:"count"`
}

func auditSummary(c *Call) error {
	var ap auditPeriod
	if err := c.Query(&ap); err != nil {
		return err
	}
	q := periodQuery(ap)
	defaultPeriod(&q, c.srv.now())
	if err := q.resolve(c.srv.now()); err != nil {
		return err
	}
	counts, err := c.Store().AuditSummary(c.R.Context(), q.From, q.To)
	if err != nil {
		return err
	}
	out := AuditSummary{From: q.From.UTC(), To: q.To.UTC(), ByDay: []AuditCount{}, Totals: []AuditCount{}}
	totals := map[string]int{}
	for _, n := range counts {
		out.ByDay = append(out.ByDay, AuditCount{Day: n.Day.UTC().Format(time.DateOnly), Action: n.Action, Count: n.Count})
		i, ok := totals[n.Action]
		if !ok {
			i = len(out.Totals)
			totals[n.Action] = i
			out.Totals = append(out.Totals, AuditCount{Action: n.Action})
		}
		out.Totals[i].Count += n.Count
	}
	return c.JSON(http.StatusOK, out)
}

type exportRequest struct {
	Format string    `json:"format" required:"true" enum:"csv,jsonl"`
	From   time.Time `json:"from" required:"true"`
	To     time.Time `json:"to" required:"true"`
}

var csvHeader = []string{"id", "seq", "occurred_at", "actor_type", "actor_id", "action", "resource_type", "resource_id",
	"outcome", "severity", "client_ip", "request_id", "details"}

func auditExport(c *Call) error {
	var req exportRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	if req.Format != "csv" && req.Format != "jsonl" {
		return badField("format", "want csv or jsonl")
	}
	q := periodQuery{From: req.From, To: req.To}
	if req.From.IsZero() || req.To.IsZero() {
		return badField("from", "from and to are required")
	}
	if err := q.resolve(c.srv.now()); err != nil {
		return err
	}
	ctx := c.R.Context()
	if err := c.Store().Record(ctx, audit.Event{Action: "audit.export", ResourceType: "audit_log",
		Details: map[string]any{"format": req.Format, "from": q.From, "to": q.To}}); err != nil {
		return err
	}
	h := c.W.Header()
	name := fmt.Sprintf("aigw-audit-%s-%s-%s", c.Principal.Tenant.Slug, q.From.UTC().Format("20060102T150405Z"), q.To.UTC().Format("20060102T150405Z"))
	if req.Format == "csv" {
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	} else {
		h.Set("Content-Type", "application/x-ndjson")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.jsonl"`)
	}
	c.W.WriteHeader(http.StatusOK)
	w := newExportWriter(c.W, req.Format)
	if err := c.Store().ExportAudit(ctx, q.From, q.To, w.row); err != nil {
		// The status is sent: cut the stream short, which the client sees.
		if ctx.Err() != nil {
			c.srv.logger.Debug("audit export: the client went away", zap.Error(err))
		} else {
			c.srv.logger.Error("audit export ended early", zap.String("request_id", requestID(ctx)), zap.Error(err))
		}
		panic(http.ErrAbortHandler)
	}
	return w.close()
}

// exportWriter writes audit rows as CSV or JSON lines, flushing as it goes.
type exportWriter struct {
	w   http.ResponseWriter
	csv *csv.Writer
	enc *json.Encoder
	n   int
}

func newExportWriter(w http.ResponseWriter, format string) *exportWriter {
	e := &exportWriter{w: w}
	if format == "csv" {
		e.csv = csv.NewWriter(w)
		e.csv.Write(csvHeader) //nolint:errcheck // checked at flush
	} else {
		e.enc = json.NewEncoder(w)
		e.enc.SetEscapeHTML(false)
	}
	return e
}

func (e *exportWriter) row(r tenantdb.AuditRow) error {
	var err error
	if e.csv != nil {
		err = e.csv.Write([]string{strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.Seq, 10),
			r.OccurredAt.UTC().Format(time.RFC3339Nano), r.ActorType, csvCell(r.ActorID), r.Action, csvCell(r.ResourceType),
			csvCell(r.ResourceID), r.Outcome, r.Severity, csvCell(r.ClientIP), csvCell(r.RequestID), csvCell(string(r.Details))})
	} else {
		err = e.enc.Encode(auditView(&r))
	}
	if e.n++; e.n%500 == 0 {
		err = e.flush()
	}
	return err
}

func (e *exportWriter) flush() error {
	if e.csv != nil {
		e.csv.Flush()
		if err := e.csv.Error(); err != nil {
			return err
		}
	}
	if f, ok := e.w.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

func (e *exportWriter) close() error { return e.flush() }

// csvCell keeps a spreadsheet from reading a cell as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// AuditVerification is GET /audit/verify's answer.
type AuditVerification struct {
	OK    bool        `json:"ok"`
	Rows  int64       `json:"rows" doc:"events checked"`
	Break *AuditBreak `json:"first_break" doc:"null when the chain verifies"`
}

// AuditBreak names the first row that does not verify.
type AuditBreak struct {
	ID     int64  `json:"id"`
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

func auditVerify(c *Call) error {
	rep, err := c.Store().VerifyAudit(c.R.Context())
	if err != nil {
		return err
	}
	out := AuditVerification{OK: len(rep.Breaks) == 0, Rows: rep.Rows}
	if len(rep.Breaks) > 0 {
		b := rep.Breaks[0]
		out.Break = &AuditBreak{ID: b.ID, Seq: b.Seq, Reason: b.Reason}
	}
	return c.JSON(http.StatusOK, out)
}
