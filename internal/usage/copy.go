package usage

import (
	"encoding/binary"
	"io"
	"math"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
)

// copyUsage copies rows into a table shaped like usage_logs (the %s).
var copyUsage = "COPY %s (" + strings.Join(columns, ", ") + ") FROM STDIN (FORMAT binary)"

// copySource streams records in PostgreSQL's binary COPY format, in the
// order of columns. pgx's CopyFrom would box every value into an interface
// and price each cost through math/big; this encodes each row straight into
// a buffer reused from row to row, so a batch of any size costs no
// allocation once the buffer has grown to a row. The bytes are those pgx
// encodes for the same values (copy_test.go checks it against pgx).
//
// Every record must have passed Record.ids.
type copySource struct {
	recs    []Record
	next    int    // index of the record to encode next; len(recs) is the trailer
	pending []byte // encoded and not yet read
	buf     []byte // backing array of pending
}

func newCopySource(recs []Record) *copySource { return &copySource{recs: recs} }

// Read fills p with the stream: the header, rows, then the trailer.
func (c *copySource) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(c.pending) == 0 && !c.encodeNext() {
			break
		}
		k := copy(p[n:], c.pending)
		c.pending = c.pending[k:]
		n += k
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// copySignature opens a binary COPY stream: the signature, no flags and no
// header extension.
const copySignature = "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

// encodeNext encodes the next part of the stream into pending and reports
// whether there was one.
func (c *copySource) encodeNext() bool {
	b := c.buf[:0]
	switch {
	case c.next > len(c.recs):
		return false
	case c.next == len(c.recs):
		b = binary.BigEndian.AppendUint16(b, math.MaxUint16) // the trailer: a field count of -1
	default:
		if c.next == 0 {
			b = append(b, copySignature...)
		}
		b = appendRecord(b, &c.recs[c.next])
	}
	c.next++
	c.buf, c.pending = b, b
	return true
}

// appendRecord encodes r as one row. Counters are clamped to the columns'
// ranges so that no value can make a batch fail forever.
func appendRecord(b []byte, r *Record) []byte {
	tenant, user, key, _ := r.ids() // checked by the caller
	b = binary.BigEndian.AppendUint16(b, uint16(len(columns)))
	b = appendText(b, r.RequestID)
	b = appendTimestamptz(b, r.CreatedAt.Unix(), r.CreatedAt.Nanosecond())
	b = appendUUID(appendUUID(appendUUID(b, tenant), user), key)
	for _, s := range [...]string{r.Endpoint, r.RequestedModel, r.Model, r.Provider, r.Deployment} {
		b = appendText(b, s)
	}
	for _, n := range [...]int{r.PromptTokens, r.CompletionTokens, r.CachedTokens, r.EstPromptTokens, r.EstCompletionTokens} {
		b = appendInt4(b, clamp32(n))
	}
	b = appendPicoNumeric(b, max(int64(r.Cost), 0))
	b = appendInt4(b, clampSigned32(r.LatencyMS))
	if r.TTFTMS >= 0 {
		b = appendInt4(b, clamp32(r.TTFTMS))
	} else {
		b = appendNull(b)
	}
	b = appendInt2(b, clamp16(r.Status))
	b = appendText(appendText(b, r.ErrorCode), r.GuardrailAction)
	b = appendBool(b, r.Stream)
	return appendInt2(b, clamp16(r.Attempts))
}

func clamp32(n int) int32 { return int32(min(max(n, 0), math.MaxInt32)) }

func clampSigned32(n int) int32 { return int32(min(max(n, math.MinInt32), math.MaxInt32)) }

func clamp16(n int) int16 { return int16(min(max(n, 0), math.MaxInt16)) }

// Each field is its length in bytes (-1 for NULL) and its binary value.

func appendNull(b []byte) []byte { return binary.BigEndian.AppendUint32(b, math.MaxUint32) }

func appendText(b []byte, s string) []byte {
	return append(binary.BigEndian.AppendUint32(b, uint32(len(s))), s...)
}

func appendInt2(b []byte, n int16) []byte {
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint32(b, 2), uint16(n))
}

func appendInt4(b []byte, n int32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(b, 4), uint32(n))
}

func appendBool(b []byte, v bool) []byte {
	b = binary.BigEndian.AppendUint32(b, 1)
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// appendUUID writes a UUID, or NULL for one that is not valid.
func appendUUID(b []byte, u pgtype.UUID) []byte {
	if !u.Valid {
		return appendNull(b)
	}
	return append(binary.BigEndian.AppendUint32(b, 16), u.Bytes[:]...)
}

// pgEpochMicros is PostgreSQL's timestamp epoch, 2000-01-01 UTC, in Unix
// microseconds.
const pgEpochMicros = 946_684_800_000_000

// appendTimestamptz writes a time given as Unix seconds and nanoseconds, at
// microsecond precision (truncated, as pgx does).
func appendTimestamptz(b []byte, sec int64, nsec int) []byte {
	b = binary.BigEndian.AppendUint32(b, 8)
	return binary.BigEndian.AppendUint64(b, uint64(sec*1_000_000+int64(nsec)/1000-pgEpochMicros))
}

// appendPicoNumeric writes p picodollars (p >= 0) as a NUMERIC dollar amount
// of scale 12: base-10000 digits, the whole part's then exactly three for
// the twelve decimals, trailing zeros included, as pgx encodes a
// pgtype.Numeric with exponent -12.
func appendPicoNumeric(b []byte, p int64) []byte {
	const fracDigits = 3 // 12 decimals
	whole, frac := uint64(p)/1e12, uint64(p)%1e12
	var digits [2 + fracDigits]uint16 // an int64 of picodollars has at most 2 whole digits
	n := 0
	for ; whole > 0; whole /= 10_000 {
		n++
		digits[len(digits)-fracDigits-n] = uint16(whole % 10_000)
	}
	for i := 1; i <= fracDigits; i++ {
		digits[len(digits)-i] = uint16(frac % 10_000)
		frac /= 10_000
	}
	weight := n - 1 // of the first digit, in powers of 10000; -1 when it is a fraction digit
	digs := digits[len(digits)-fracDigits-n:]
	b = binary.BigEndian.AppendUint32(b, uint32(8+2*len(digs)))
	b = binary.BigEndian.AppendUint16(b, uint16(len(digs)))
	b = binary.BigEndian.AppendUint16(b, uint16(int16(weight)))
	b = binary.BigEndian.AppendUint16(b, 0)  // sign: positive
	b = binary.BigEndian.AppendUint16(b, 12) // display scale
	for _, d := range digs {
		b = binary.BigEndian.AppendUint16(b, d)
	}
	return b
}
