package server

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readCSV parses an export strictly: a UTF-8 BOM, CRLF line ends, every
// record as wide as the header, quotes only where RFC 4180 allows them.
func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Fatalf("no UTF-8 byte order mark: %q", body[:min(len(body), 20)])
	}
	body = body[3:]
	// Every record ends with CRLF; a bare LF may appear only inside a quoted field.
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		t.Fatalf("the last record does not end with CRLF")
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.LazyQuotes = false
	r.FieldsPerRecord = 0
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("strict CSV reader: %v", err)
	}
	return recs
}

func TestCSVExportIsRFC4180WithBOMAndQuotesAwkwardNames(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	b := e.addTenant("beta")
	m := e.pastMonth(1)
	awkward := "Smith, \"Jo\"\nof Treasury"
	formula := "=HYPERLINK(\"http://x\")"
	jo := e.addUser(a, "Smith, Jo", "user")
	// The admin API refuses control characters in names; older rows, SSO
	// claims or a database edit may still hold them, and the export must
	// not break on them.
	if _, err := e.pool.Exec(t.Context(), `UPDATE users SET display_name = $2 WHERE id = $1`, jo, awkward); err != nil {
		t.Fatal(err)
	}
	eve := e.addUser(a, formula, "user")
	p := e.listPrice("gpt-4o", 1234, 0, 56)
	t1 := day(m, 3, 10).Add(123456 * time.Microsecond)
	e.seedUsage(a.ID, []use{
		{at: t1, user: jo, model: "gpt-4o", provider: "openai", prompt: 1234, completion: 56, pico: p},
		{at: day(m, 3, 11), user: eve, model: "gpt-4o", provider: "openai", prompt: 1234, completion: 56, pico: p},
		{at: day(m, 5, 0), model: "claude-haiku-4-5", provider: "anthropic", prompt: 10, pico: 10_000_000},
		{at: m.End(), user: jo, model: "gpt-4o", provider: "openai", prompt: 1, pico: 1}, // the next month: out
	})
	e.seedUsage(b.ID, []use{{at: day(m, 3, 10), model: "gpt-4o", provider: "openai", prompt: 1, pico: 1}})
	q := "/billing/export/csv?from=" + m.Start().Format("2006-01-02") + "&to=" + m.End().Format("2006-01-02")

	r := e.do("GET", q, a.Tokens["manager"], nil).want(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("headers %v", r.Header)
	}
	recs := readCSV(t, r.Body)
	if len(recs) != 4 {
		t.Fatalf("%d records, want a header and 3 rows: %q", len(recs), recs)
	}
	head := recs[0]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	first := recs[1]
	if first[col["user_name"]] != awkward || first[col["created_at"]] != t1.UTC().Format("2006-01-02T15:04:05.000000Z") ||
		first[col["cost_usd"]] != "0.003645000000" || first[col["prompt_tokens"]] != "1234" || first[col["model"]] != "gpt-4o" {
		t.Errorf("first row %q", first)
	}
	if got := recs[2][col["user_name"]]; got != "'"+formula {
		t.Errorf("a formula-like name is exported as %q, want it prefixed with an apostrophe", got)
	}
	if recs[3][col["user_id"]] != "" || recs[3][col["cost_usd"]] != "0.000010000000" {
		t.Errorf("keyless row %q", recs[3])
	}
	// The raw bytes quote the awkward name as RFC 4180 says (its line break
	// written as CRLF, as every line break of the file).
	if !bytes.Contains(r.Body, []byte(`,"Smith, ""Jo""`+"\r\nof Treasury\",")) {
		t.Errorf("awkward name not quoted as RFC 4180 says")
	}

	for _, tc := range []struct {
		group string
		want  [][]string
	}{
		{"day", [][]string{{"day", "requests", "prompt_tokens", "cached_tokens", "completion_tokens", "cost_usd"},
			{day(m, 3, 0).Format("2006-01-02"), "2", "2468", "0", "112", "0.007290000000"},
			{day(m, 5, 0).Format("2006-01-02"), "1", "10", "0", "0", "0.000010000000"}}},
		{"model", [][]string{{"model", "provider", "requests", "prompt_tokens", "cached_tokens", "completion_tokens", "cost_usd"},
			{"claude-haiku-4-5", "anthropic", "1", "10", "0", "0", "0.000010000000"},
			{"gpt-4o", "openai", "2", "2468", "0", "112", "0.007290000000"}}},
	} {
		got := readCSV(t, e.do("GET", q+"&group_by="+tc.group, a.Tokens["admin"], nil).want(http.StatusOK).Body)
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("group_by=%s (-want +got):\n%s", tc.group, d)
		}
	}
	users := readCSV(t, e.do("GET", q+"&group_by=user", a.Tokens["admin"], nil).want(http.StatusOK).Body)
	if len(users) != 4 || users[0][2] != "user_name" || users[3][0] != "" || users[3][7] != "0.000010000000" {
		t.Errorf("group_by=user %q", users)
	}
	if n := e.auditCount(a.ID, "billing.export"); n != 4 {
		t.Errorf("%d billing.export events, want 4", n)
	}
	for _, bad := range []string{
		"/billing/export/csv", "/billing/export/csv?from=2026-01-01",
		"/billing/export/csv?from=2026-01-01&to=2026-01-01",
		"/billing/export/csv?from=2024-01-01&to=2026-01-01",
		"/billing/export/csv?from=01/01/2026&to=2026-02-01",
		q + "&group_by=week", q + "&format=xlsx",
	} {
		e.do("GET", bad, a.Tokens["admin"], nil).want(http.StatusBadRequest)
	}
	e.do("GET", q, a.Tokens["user"], nil).want(http.StatusForbidden)
}
