package guardrail

import (
	"time"

	"github.com/aigw/aigw/internal/guard"
)

// streamGate runs the external rails on a streamed answer. The text the
// engine lets out of a choice's content does not go to the client at once:
// it gathers until every bytes have come or the oldest has waited wait,
// and goes out only once the rails pass the answer so far (its last
// maxRailText bytes); the finish, [DONE] or the end of the stream checks
// what is left. A block ends the stream with an error event after the text
// that earlier checks passed; the client never sees text a rail refused, nor
// a clean finish after a block. The price is latency: text waits up to
// every bytes or wait, plus one rail round trip, per batch.
type streamGate struct {
	// check runs the rails that apply to streams on text and returns the
	// names of those that block it.
	check func(text string) []string
	every int
	wait  time.Duration
}

// Defaults of the gate, and the most answer text a rail is sent.
const (
	defaultStreamRailBytes = 512
	defaultStreamRailWait  = 2 * time.Second
	maxRailText            = 32 << 10
)

// gated passes the text the engine let out of part p through the gate: it
// returns what may go to the client now, and whether a rail blocked. final
// checks what is left whatever its size.
func (f *sseFilter) gated(p part, h *held, emit string, final bool) (string, bool) {
	if f.gate == nil || p.tool >= 0 {
		return emit, false // tool call arguments are the engine's alone
	}
	h.rail = append(h.rail, emit...)
	if len(h.rail) == 0 {
		return "", false
	}
	now := f.now()
	if h.railSince.IsZero() {
		h.railSince = now
	}
	if !final && len(h.rail) < f.gate.every && now.Sub(h.railSince) < f.gate.wait {
		f.wake(h.railSince.Add(f.gate.wait))
		return "", false
	}
	h.passed = append(h.passed, h.rail...)
	text := h.passed
	if len(text) > maxRailText {
		text = text[len(text)-maxRailText:]
	}
	if names := f.gate.check(string(text)); len(names) > 0 {
		f.verdict.action = guard.ActionBlock
		f.verdict.detectors = append(f.verdict.detectors, names...)
		return "", true
	}
	out := string(h.rail)
	h.rail, h.railSince = h.rail[:0], time.Time{}
	if len(h.passed) > 2*maxRailText {
		h.passed = append(h.passed[:0], h.passed[len(h.passed)-maxRailText:]...)
	}
	return out, false
}
