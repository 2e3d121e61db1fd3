package meter

import (
	"strconv"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/money"
	"github.com/aigw/aigw/internal/usage"
)

// statusClientClosed is recorded when the client went away before any
// answer was written (nginx's convention).
const statusClientClosed = 499

// outcome is what the meter observed about one request, besides the state.
type outcome struct {
	status   int
	endpoint string
	end      time.Time
}

// buildRecord turns the request's state and what the meter saw into a usage row.
func buildRecord(st *state.Request, o *outcome, b usage.Bill, c money.Pico) usage.Record {
	rec := usage.Record{
		RequestID: st.ID, CreatedAt: st.Start.UTC(), Endpoint: o.endpoint,
		RequestedModel: st.RequestedModel, Provider: st.Provider, Deployment: st.Deployment,
		PromptTokens: b.Prompt, CompletionTokens: b.Completion, CachedTokens: b.Cached,
		EstPromptTokens: st.EstPromptTokens, EstCompletionTokens: st.EstCompletionTokens,
		Cost: c, LatencyMS: int(o.end.Sub(st.Start).Milliseconds()), TTFTMS: -1,
		Status: o.status, ErrorCode: st.ErrorCode, GuardrailAction: st.GuardrailAction,
		Stream: st.Stream, Attempts: st.Attempts,
	}
	if st.Key != nil {
		rec.TenantID, rec.UserID, rec.APIKeyID = st.Key.TenantID, st.Key.UserID, st.Key.ID
	}
	if st.Model != nil {
		rec.Model = st.Model.ID
	}
	if !st.FirstByte.IsZero() {
		rec.TTFTMS = int(st.FirstByte.Sub(st.Start).Milliseconds())
	}
	return rec
}

// usd formats p as US dollars with twelve decimals, as money.Pico.String
// does, without big-number arithmetic: it runs for every request.
func usd(p money.Pico) string {
	if p < 0 {
		return p.String()
	}
	var b [32]byte
	out := strconv.AppendInt(b[:0], int64(p)/1_000_000_000_000, 10)
	out = append(out, '.')
	frac := int64(p) % 1_000_000_000_000
	var f [12]byte
	for i := 11; i >= 0; i-- {
		f[i] = byte('0' + frac%10)
		frac /= 10
	}
	return string(append(out, f[:]...))
}
