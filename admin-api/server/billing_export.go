package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/billing"
	"github.com/aigw/aigw/internal/store"
)

func init() {
	addRoutes(Route{Method: "GET", Path: "/billing/export/csv", Perm: PermBillingRead, Handle: exportCSV,
		Doc: Doc{Tag: "billing", Summary: "Usage as CSV, per request, day, user or model",
			Description: "RFC 4180 with CRLF line ends, UTF-8 with a byte order mark (so spreadsheet programs read it as UTF-8), a header row, " +
				"numbers as plain decimals (cost_usd exact, 12 decimals), times in ISO 8601 UTC. Streamed from a database cursor at constant memory. " +
				"Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) are prefixed with an apostrophe. " +
				"Every export is an audit event (billing.export).",
			Query: exportQuery{}, Response: "", ContentTypes: []string{"text/csv"}}})
}

type exportQuery struct {
	From    string `query:"from" required:"true" doc:"start, inclusive: a date (2026-11-01, UTC midnight) or an RFC 3339 time"`
	To      string `query:"to" required:"true" doc:"end, exclusive: a date or an RFC 3339 time; at most 400 days after from"`
	GroupBy string `query:"group_by" enum:"request,day,user,model" doc:"one row per request (default), UTC day, user or model"`
}

// maxExportSpan bounds an export's period.
const maxExportSpan = 400 * 24 * time.Hour

// exportFlushRows is how many rows are written between flushes.
const exportFlushRows = 500

func parseInstant(field, s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, badField(field, "want a date such as 2026-11-01 or an RFC 3339 time such as 2026-11-01T00:00:00Z")
	}
	return t.UTC(), nil
}

func (q exportQuery) scope() (from, to time.Time, groupBy string, err error) {
	if q.From == "" {
		return from, to, "", badField("from", "required")
	}
	if q.To == "" {
		return from, to, "", badField("to", "required")
	}
	if from, err = parseInstant("from", q.From); err != nil {
		return
	}
	if to, err = parseInstant("to", q.To); err != nil {
		return
	}
	if !to.After(from) || to.Sub(from) > maxExportSpan {
		return from, to, "", badField("to", "must be after from, by at most 400 days")
	}
	groupBy = q.GroupBy
	if groupBy == "" {
		groupBy = store.GroupByRequest
	}
	if store.ExportHeader(groupBy) == nil {
		return from, to, "", badField("group_by", "want request, day, user or model")
	}
	return from, to, groupBy, nil
}

func exportCSV(c *Call) error {
	var q exportQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	from, to, groupBy, err := q.scope()
	if err != nil {
		return err
	}
	ctx, db := c.R.Context(), c.Store()
	scope := db.Usage(from, to, "")
	if err := db.RecordExport(ctx, scope, groupBy); err != nil {
		return err
	}
	h := c.W.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="usage-%s-%s-by-%s.csv"`,
		from.Format("20060102T150405Z"), to.Format("20060102T150405Z"), groupBy))
	c.W.WriteHeader(http.StatusOK)
	if _, err := c.W.Write([]byte("\ufeff")); err != nil {
		return nil // the client left
	}
	w := csv.NewWriter(c.W)
	w.UseCRLF = true
	safe := make([]string, 0, 16)
	write := func(rec []string) error {
		safe = safe[:0]
		for _, f := range rec {
			safe = append(safe, billing.CSVCell(f))
		}
		return w.Write(safe)
	}
	if err := write(store.ExportHeader(groupBy)); err != nil {
		return nil
	}
	n := 0
	err = db.ExportUsage(ctx, scope, groupBy, func(rec []string) error {
		if err := write(rec); err != nil {
			return err
		}
		if n++; n%exportFlushRows == 0 {
			w.Flush()
			http.NewResponseController(c.W).Flush() //nolint:errcheck // best effort: the next write reports a gone client
		}
		return w.Error()
	})
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil && ctx.Err() == nil {
		// The header is sent: cut the connection so that the client sees a
		// broken download, never a file that looks whole.
		c.srv.logger.Error("billing export failed mid-stream", zap.String("request_id", requestID(ctx)), zap.Error(err))
		panic(http.ErrAbortHandler)
	}
	return nil
}
