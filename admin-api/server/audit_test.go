package server

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAuditLogsFilterAndSummarise(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	tok := a.Tokens["admin"]
	e.do("POST", "/users", tok, map[string]any{"email": "z@alpha.example", "name": "Z", "role": "user"}).want(201)
	var list List[AuditEvent]
	e.do("GET", "/audit/logs?action=user.create&limit=2", tok, nil).want(200).decode(&list)
	if list.Total != 5 || len(list.Data) != 2 || list.Data[0].Action != "user.create" || list.Data[0].ActorID != a.Users["admin"].ID {
		t.Fatalf("user.create events: %+v", list)
	}
	if !list.Data[0].OccurredAt.After(list.Data[1].OccurredAt) && list.Data[0].ID < list.Data[1].ID {
		t.Error("not newest first")
	}
	e.do("GET", "/audit/logs?action=auth.*&outcome=success&actor="+a.Users["viewer"].ID, tok, nil).want(200).decode(&list)
	if list.Total != 1 || list.Data[0].Action != "auth.login" {
		t.Errorf("viewer's sign-ins: %+v", list)
	}
	e.do("GET", "/audit/logs?resource=user:"+a.Users["viewer"].ID, tok, nil).want(200).decode(&list)
	if list.Total != 1 {
		t.Errorf("events about the viewer: %d", list.Total)
	}
	e.do("GET", "/audit/logs?outcome=maybe", tok, nil).want(http.StatusBadRequest)
	var sum AuditSummary
	e.do("GET", "/audit/summary", a.Tokens["viewer"], nil).want(200).decode(&sum)
	found := false
	for _, c := range sum.Totals {
		found = found || c.Action == "user.create" && c.Count == 5
	}
	if !found || len(sum.ByDay) == 0 || sum.ByDay[0].Day != e.clock.Now().UTC().Format(time.DateOnly) {
		t.Errorf("summary %+v", sum)
	}
	var v AuditVerification
	e.do("GET", "/audit/verify", tok, nil).want(200).decode(&v)
	if !v.OK || v.Rows != 9 || v.Break != nil {
		t.Errorf("verify %+v", v)
	}
	// A removed row is named.
	e.pool.Exec(context.Background(), `ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete`) //nolint:errcheck
	e.pool.Exec(context.Background(), `DELETE FROM audit_logs WHERE tenant_id = $1 AND seq = 3`, a.ID)      //nolint:errcheck
	e.pool.Exec(context.Background(), `ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete`)  //nolint:errcheck
	e.do("GET", "/audit/verify", tok, nil).want(200).decode(&v)
	if v.OK || v.Break == nil || v.Break.Seq != 4 {
		t.Errorf("verify after a deletion %+v", v)
	}
}

func TestAuditExportStreamsAndIsAudited(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	tok := a.Tokens["admin"]
	// A value a spreadsheet would run as a formula is quoted.
	e.do("PUT", "/users/"+a.Users["user"].ID, tok, map[string]any{"name": "=HYPERLINK(\"x\")"}).want(200)
	from, to := e.clock.Now().Add(-time.Hour).Format(time.RFC3339), e.clock.Now().Add(time.Hour).Format(time.RFC3339)
	res := e.do("POST", "/audit/export", tok, map[string]any{"format": "csv", "from": from, "to": to}).want(200)
	if res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(res.Header.Get("Content-Disposition"), "aigw-audit-alpha-") {
		t.Errorf("headers %v", res.Header)
	}
	records, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
	if err != nil || len(records) < 7 || strings.Join(records[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("csv: %d records, %v", len(records), err)
	}
	last := records[len(records)-1]
	if last[5] != "audit.export" {
		t.Errorf("the export's own event is not in it: %v", last)
	}
	res = e.do("POST", "/audit/export", tok, map[string]any{"format": "jsonl", "from": from, "to": to}).want(200)
	sc := bufio.NewScanner(strings.NewReader(string(res.Body)))
	n := 0
	for sc.Scan() {
		var ev AuditEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Seq != int64(n+1) {
			t.Fatalf("line %d: %v %+v", n, err, ev)
		}
		n++
	}
	if n != len(records) { // the csv's header counts as the jsonl export's own event
		t.Errorf("jsonl has %d events, csv %d", n, len(records)-1)
	}
	if e.auditCount(a.ID, "audit.export") != 2 {
		t.Error("exports are not audited")
	}
	for _, body := range []map[string]any{{"format": "xml", "from": from, "to": to}, {"format": "csv"}, {"format": "csv", "from": to, "to": from}} {
		e.do("POST", "/audit/export", tok, body).want(http.StatusBadRequest)
	}
}
