package usage

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aigw/aigw/internal/money"
)

// columnOIDs are the usage_logs column types, in COPY order.
var columnOIDs = []uint32{
	pgtype.TextOID, pgtype.TimestamptzOID, pgtype.UUIDOID, pgtype.UUIDOID, pgtype.UUIDOID, pgtype.TextOID,
	pgtype.TextOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID,
	pgtype.Int4OID, pgtype.Int4OID, pgtype.Int4OID, pgtype.Int4OID, pgtype.Int4OID,
	pgtype.NumericOID, pgtype.Int4OID, pgtype.Int4OID, pgtype.Int2OID, pgtype.TextOID, pgtype.TextOID, pgtype.BoolOID, pgtype.Int2OID,
}

// pgxValues are the values the sink gave pgx's CopyFrom before it encoded
// rows itself: the reference for appendRecord's bytes.
func pgxValues(t *testing.T, r *Record) []any {
	t.Helper()
	uuid := func(s string) pgtype.UUID {
		var u pgtype.UUID
		if s != "" {
			if err := u.Scan(s); err != nil {
				t.Fatal(err)
			}
		}
		return u
	}
	var ttft any
	if r.TTFTMS >= 0 {
		ttft = clamp32(r.TTFTMS)
	}
	return []any{
		r.RequestID, r.CreatedAt, uuid(r.TenantID), uuid(r.UserID), uuid(r.APIKeyID), r.Endpoint,
		r.RequestedModel, r.Model, r.Provider, r.Deployment,
		clamp32(r.PromptTokens), clamp32(r.CompletionTokens), clamp32(r.CachedTokens),
		clamp32(r.EstPromptTokens), clamp32(r.EstCompletionTokens),
		pgtype.Numeric{Int: big.NewInt(max(int64(r.Cost), 0)), Exp: -12, Valid: true},
		clampSigned32(r.LatencyMS), ttft, int16(min(max(r.Status, 0), math.MaxInt16)),
		r.ErrorCode, r.GuardrailAction, r.Stream, int16(min(max(r.Attempts, 0), math.MaxInt16)),
	}
}

// pgxRow encodes a row as pgx's CopyFrom does.
func pgxRow(t *testing.T, r *Record) []byte {
	t.Helper()
	m := pgtype.NewMap()
	b := binary.BigEndian.AppendUint16(nil, uint16(len(columns)))
	for i, v := range pgxValues(t, r) {
		at := len(b)
		b = binary.BigEndian.AppendUint32(b, math.MaxUint32)
		out, err := m.Encode(columnOIDs[i], pgtype.BinaryFormatCode, v, b)
		if err != nil {
			t.Fatalf("column %s: %v", columns[i], err)
		}
		if out != nil {
			b = out
			binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
		}
	}
	return b
}

func TestAppendRecordEncodesAsPgx(t *testing.T) {
	full := meterRecord(7)
	tests := []struct {
		name string
		edit func(r *Record)
	}{
		{"gateway row", func(*Record) {}},
		{"no user, key or answer", func(r *Record) { r.UserID, r.APIKeyID, r.TTFTMS = "", "", -1 }},
		{"upper-case and undashed ids", func(r *Record) {
			r.TenantID, r.UserID = strings.ToUpper(r.TenantID), strings.ReplaceAll(r.UserID, "-", "")
		}},
		{"zero cost", func(r *Record) { r.Cost = 0 }},
		{"whole dollars", func(r *Record) { r.Cost = 12_000_000_000_000 }},
		{"sub-cent cost", func(r *Record) { r.Cost = 1 }},
		{"largest cost", func(r *Record) { r.Cost = math.MaxInt64 }},
		{"negative cost", func(r *Record) { r.Cost = -5 }},
		{"cost of 10000 dollars and 1 picodollar", func(r *Record) { r.Cost = money.Pico(10_000*1e12 + 1) }},
		{"counters out of range", func(r *Record) {
			r.PromptTokens, r.CompletionTokens, r.LatencyMS, r.TTFTMS = -3, math.MaxInt64, math.MinInt64, math.MaxInt64
			r.Status, r.Attempts = 70_000, -1
		}},
		{"refused", func(r *Record) {
			r.Model, r.Provider, r.Deployment, r.Status, r.ErrorCode, r.GuardrailAction = "", "", "", 403, "guardrail_blocked", "block"
		}},
		{"stream", func(r *Record) { r.Stream = true }},
		{"time before 2000 with nanoseconds", func(r *Record) { r.CreatedAt = time.Date(1999, 12, 31, 23, 59, 59, 999_999_999, time.UTC) }},
		{"time in another zone", func(r *Record) { r.CreatedAt = time.Date(2026, 3, 1, 9, 0, 0, 1500, time.FixedZone("IST", 19800)) }},
		{"non-ASCII text", func(r *Record) { r.RequestedModel = "modèle-☃" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := full
			tt.edit(&r)
			if _, _, _, err := r.ids(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(pgxRow(t, &r), appendRecord(nil, &r)); diff != "" {
				t.Errorf("row bytes differ from pgx's (-pgx +ours):\n%s", diff)
			}
		})
	}
}

func TestCopySourceStreamsHeaderRowsTrailer(t *testing.T) {
	recs := []Record{meterRecord(1), meterRecord(2), meterRecord(3)}
	want := []byte(copySignature)
	for i := range recs {
		want = append(want, pgxRow(t, &recs[i])...)
	}
	want = append(want, 0xff, 0xff)
	for _, size := range []int{1, 7, 100, 1 << 16} { // pgx reads up to 64 KiB at a time
		var got bytes.Buffer
		buf := make([]byte, size)
		src := newCopySource(recs)
		for {
			n, err := src.Read(buf)
			got.Write(buf[:n])
			if err == io.EOF {
				break
			}
			if err != nil || n == 0 {
				t.Fatalf("read of %d bytes: %d, %v", size, n, err)
			}
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("reads of %d bytes: stream differs from the header, pgx's rows and the trailer", size)
		}
	}
}

// FuzzParseUUID checks that parseUUID accepts what pgtype.UUID's Scan
// accepted, with the same bytes, so no id valid before is refused.
func FuzzParseUUID(f *testing.F) {
	for _, s := range []string{
		"6f1c8a52-3b0e-4c61-9d7a-1f2e3d4c5b6a", "6F1C8A52-3B0E-4C61-9D7A-1F2E3D4C5B6A", "6f1c8a523b0e4c619d7a1f2e3d4c5b6a",
		"6f1c8a52x3b0ey4c61z9d7a_1f2e3d4c5b6a", "6f1c8a52-3b0e-4c61-9d7a-1f2e3d4c5b6g", "", "req_1", "{6f1c8a52-3b0e-4c61-9d7a-1f2e3d4c5b6a}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want pgtype.UUID
		werr := want.Scan(s)
		got, ok := parseUUID(s)
		if ok != (werr == nil && want.Valid) || ok && got != want.Bytes {
			t.Errorf("parseUUID(%q) = %x, %v; pgtype: %x, %v", s, got, ok, want.Bytes, werr)
		}
	})
}
