package guard

import "unicode/utf8"

// DefaultWindow is the hold-back window of a StreamScanner, in bytes, when
// NewStreamScanner is given none. It bounds the longest value (an e-mail
// address, a key) that is still caught when split across chunks.
const DefaultWindow = 256

// StreamScanner screens a model's output stream chunk by chunk. It holds back
// at most one window of trailing text, so a card number or SSN split across
// chunks is caught and redacted before any of it is emitted, emits the
// screened prefix, and reports a block at once. It is not safe for concurrent
// use; use one per stream.
type StreamScanner struct {
	e       *Engine
	p       *Policy
	window  int
	tail    string // last emitted input (original text), kept as context
	pending []byte // input received and not yet emitted
	offset  int    // stream offset of pending[0]
	blocked *Result
}

// NewStreamScanner returns a scanner for one output stream under policy p.
// window is the hold-back size in bytes (DefaultWindow when <= 0).
func NewStreamScanner(e *Engine, p *Policy, window int) *StreamScanner {
	if window <= 0 {
		window = DefaultWindow
	}
	return &StreamScanner{e: e, p: p, window: window}
}

// Write adds a chunk of model output and returns the text that may now be
// sent to the client (redacted as the policy says) and what was found in it.
// Finding offsets count from the start of the stream's input. Once the
// policy blocks, Write returns "" and the blocking Result for every call.
func (s *StreamScanner) Write(chunk string) (emit string, res Result) {
	if s.blocked != nil {
		return "", *s.blocked
	}
	s.pending = append(s.pending, chunk...)
	return s.step(false)
}

// WriteBytes is Write for a chunk held as bytes (a relay's buffer): the
// scanner copies it, so the caller may reuse chunk.
func (s *StreamScanner) WriteBytes(chunk []byte) (emit string, res Result) {
	if s.blocked != nil {
		return "", *s.blocked
	}
	s.pending = append(s.pending, chunk...)
	return s.step(false)
}

// Flush screens and returns everything still held back; call it when the
// upstream stream ends.
func (s *StreamScanner) Flush() (emit string, res Result) {
	if s.blocked != nil {
		return "", *s.blocked
	}
	return s.step(true)
}

func (s *StreamScanner) step(final bool) (string, Result) {
	buf := s.tail + string(s.pending)
	tl := len(s.tail)
	shadow := s.p != nil && s.p.Shadow
	var live []Finding
	for _, f := range s.e.Scan(buf, Output) {
		a := actionFor(s.p, f)
		if a == ActionAllow || f.End <= tl {
			continue
		}
		if a == ActionBlock && !shadow {
			return "", s.block(f, tl)
		}
		live = append(live, f)
	}
	boundary := len(s.pending)
	if !final {
		boundary = s.safeBoundary(live, tl)
	}
	emitOrig := string(s.pending[:boundary])
	local := make([]Finding, 0, len(live))
	var report []Finding
	for _, f := range live {
		if f.Start-tl >= boundary {
			continue
		}
		g := f
		g.Start, g.End = max(f.Start-tl, 0), min(f.End-tl, boundary)
		local = append(local, g)
		if f.Start >= tl {
			f.Start, f.End = f.Start-tl+s.offset, f.End-tl+s.offset
			report = append(report, f)
		}
	}
	res := evaluate(emitOrig, local, s.p)
	res.Findings = report
	s.advance(emitOrig, boundary)
	return res.Text, res
}

// safeBoundary is how much of pending may be emitted: all but one window,
// moved forward past any redacted value that straddles the cut (the value is
// complete, so it is replaced whole) and to a UTF-8 character boundary.
func (s *StreamScanner) safeBoundary(live []Finding, tl int) int {
	b := max(len(s.pending)-s.window, 0)
	for changed := true; changed; {
		changed = false
		for _, f := range live {
			if actionFor(s.p, f) != ActionRedact {
				continue
			}
			if ps, pe := f.Start-tl, f.End-tl; ps < b && pe > b {
				b, changed = pe, true
			}
		}
	}
	for b < len(s.pending) && !utf8.RuneStart(s.pending[b]) {
		b++
	}
	return b
}

func (s *StreamScanner) advance(emitted string, boundary int) {
	ctx := s.tail + emitted
	if len(ctx) > s.window {
		ctx = ctx[len(ctx)-s.window:]
	}
	s.tail = ctx
	s.pending = append(s.pending[:0], s.pending[boundary:]...)
	s.offset += boundary
}

func (s *StreamScanner) block(f Finding, tl int) Result {
	f.Start, f.End = max(f.Start-tl, 0)+s.offset, f.End-tl+s.offset
	res := Result{Action: ActionBlock, Findings: []Finding{f}, Blocked: []string{f.Type}}
	s.blocked = &res
	s.pending = nil
	return res
}
