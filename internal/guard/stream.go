package guard

import (
	"unicode/utf8"
	"unsafe"
)

// DefaultWindow is the hold-back window of a StreamScanner, in bytes, when
// NewStreamScanner is given none. It bounds the longest value (an e-mail
// address, a key) that is still caught when split across chunks, and the
// screened text kept as context for the next chunk.
const DefaultWindow = 256

// StreamScanner screens a model's output stream chunk by chunk. It emits the
// screened text at once except its end that could still become a finding
// (see holdBack: an unfinished value, a value the next words may qualify, a
// phrase it ends inside of), never more than one window, so a card number or
// SSN split across chunks is caught and redacted before any of it is
// emitted; and it reports a block at once. The learned detectors read the
// text it releases, holding none back (stream_learned.go): their findings
// come when a window of the answer fills, or at Flush, and act on what
// comes after. It is not safe for concurrent use; use one per stream.
type StreamScanner struct {
	e      *Engine
	p      *Policy
	window int
	// win holds the last emitted input (original text), kept as context,
	// its first tl bytes, followed by the input received and not yet
	// emitted (pending); one buffer, so that a step scans it in place.
	win     []byte
	tl      int
	offset  int // stream offset of win[tl]
	blocked *Result
	// plain reports that what is held is only words (see holdBack).
	plain bool
	hits  []hit // holdBack's scratch
	// reported are the findings reported that may be found again (they
	// end in the context or after it), by type and stream offset.
	reported []span
	rtypes   []string
	// lrn runs the learned detectors on the released text (see
	// stream_learned.go); off when the policy acts on none of them.
	lrn streamLearned
}

// contextBytes is the most screened text kept as context for the next chunk:
// values read their context words up to 48 bytes before them, phrase rules
// span a few words.
const contextBytes = 192

// Steps of a StreamScanner.
type stepMode uint8

const (
	stepHold   stepMode = iota // emit all but what could still become a finding
	stepSettle                 // also emit held words
	stepFinal                  // emit everything
)

// NewStreamScanner returns a scanner for one output stream under policy p.
// window is the hold-back size in bytes (DefaultWindow when <= 0).
func NewStreamScanner(e *Engine, p *Policy, window int) *StreamScanner {
	if window <= 0 {
		window = DefaultWindow
	}
	s := &StreamScanner{e: e, p: p, window: window}
	if m, err := loadLearned(); err == nil && m != nil && learnedActs(p) {
		s.lrn.init(m)
	}
	return s
}

// Write adds a chunk of model output and returns the text that may now be
// sent to the client (redacted as the policy says) and what was found in it.
// Finding offsets count from the start of the stream's input. Once the
// policy blocks, Write returns "" and the blocking Result for every call.
func (s *StreamScanner) Write(chunk string) (emit string, res Result) {
	if s.blocked != nil {
		return "", *s.blocked
	}
	s.win = append(s.win, chunk...)
	return s.step(stepHold)
}

// WriteBytes is Write for a chunk held as bytes (a relay's buffer): the
// scanner copies it, so the caller may reuse chunk.
func (s *StreamScanner) WriteBytes(chunk []byte) (emit string, res Result) {
	if s.blocked != nil {
		return "", *s.blocked
	}
	s.win = append(s.win, chunk...)
	return s.step(stepHold)
}

// Held reports how many bytes the scanner holds back, and whether they are
// only words (an unfinished word, the first words of a phrase), which Settle
// may release.
func (s *StreamScanner) Held() (n int, plain bool) { return len(s.win) - s.tl, s.plain }

// Settle releases what is held when it is only words — the stream has
// paused on them; no value could be in them, and a phrase they begin still
// blocks the stream if it completes — and returns it screened; a value that
// could still become a finding stays held.
func (s *StreamScanner) Settle() (emit string, res Result) {
	if s.blocked != nil {
		return "", *s.blocked
	}
	if len(s.win) == s.tl || !s.plain {
		return "", Result{Action: ActionAllow}
	}
	return s.step(stepSettle)
}

// Flush screens and returns everything still held back; call it when the
// upstream stream ends.
func (s *StreamScanner) Flush() (emit string, res Result) {
	if s.blocked != nil {
		return "", *s.blocked
	}
	return s.step(stepFinal)
}

func (s *StreamScanner) step(mode stepMode) (string, Result) {
	tl := s.tl
	pending := s.win[tl:]
	// buf is read in place: nothing this step keeps holds it, and win
	// changes only in advance, after its last use.
	buf := unsafe.String(unsafe.SliceData(s.win), len(s.win))
	shadow := s.p != nil && s.p.Shadow
	var live []Finding
	for _, f := range s.e.scan(buf, Output, false) {
		if s.lrn.m != nil {
			s.lrn.sawRule(f.Type)
		}
		a := actionFor(s.p, f)
		if a == ActionAllow || f.End <= tl {
			continue
		}
		if a == ActionBlock && !shadow {
			return "", s.block(f, tl)
		}
		live = append(live, f)
	}
	boundary := len(pending)
	if mode != stepFinal {
		boundary = s.safeBoundary(live, buf, tl, mode == stepSettle)
	}
	emitOrig := string(pending[:boundary])
	local := make([]Finding, 0, len(live))
	var report []Finding
	for _, f := range live {
		if f.Start-tl >= boundary {
			continue
		}
		g := f
		g.Start, g.End = max(f.Start-tl, 0), min(f.End-tl, boundary)
		local = append(local, g)
		// A finding is reported once: the first step it is found in. One
		// that begins in the context was found before, unless the words
		// that complete it came only now (a phrase whose first words went
		// out).
		f.Start, f.End = f.Start-tl+s.offset, f.End-tl+s.offset
		if s.firstReport(f) {
			report = append(report, f)
		}
	}
	res := evaluate(emitOrig, local, s.p)
	res.Findings = report
	s.advance(boundary)
	if s.lrn.m != nil && s.learn(&res, emitOrig, mode == stepFinal) {
		return "", *s.blocked
	}
	return res.Text, res
}

// safeBoundary is how much of pending may be emitted: all but what could
// still become a finding (holdBack; with settle, held words are emitted
// too), never holding more than one window; moved forward past any
// redacted value that straddles the cut (the value is complete, so it is
// replaced whole) and to a UTF-8 character boundary.
func (s *StreamScanner) safeBoundary(live []Finding, buf string, tl int, settle bool) int {
	pending := s.win[s.tl:]
	n, plain := s.holdBack(buf, len(pending))
	if settle && plain {
		n = 0
	}
	b := max(len(pending)-n, len(pending)-s.window, 0)
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
	for b < len(pending) && !utf8.RuneStart(pending[b]) {
		b++
	}
	s.plain = plain && b == len(pending)-n
	return b
}

// advance moves the first boundary bytes of pending to the context, which
// keeps the last contextBytes of the emitted text.
func (s *StreamScanner) advance(boundary int) {
	// Context is text already sent: keeping it delays nothing, whatever the
	// window ("मोबाइल नंबर" alone is 33 bytes before its number).
	end := s.tl + boundary
	from := max(end-contextBytes, 0)
	for from < end && !utf8.RuneStart(s.win[from]) {
		from++
	}
	s.win = s.win[:copy(s.win, s.win[from:])]
	s.tl = end - from
	s.offset += boundary
	if len(s.win) == s.tl {
		s.plain = false
	}
}

func (s *StreamScanner) block(f Finding, tl int) Result {
	f.Start, f.End = max(f.Start-tl, 0)+s.offset, f.End-tl+s.offset
	res := Result{Action: ActionBlock, Findings: []Finding{f}, Blocked: []string{f.Type}}
	s.blocked = &res
	s.win, s.tl = nil, 0
	return res
}

// firstReport reports whether f (in stream offsets) is found for the first
// time, and notes it; it forgets findings that end before the context.
func (s *StreamScanner) firstReport(f Finding) bool {
	ctxStart := s.offset - s.tl
	k := 0
	seen := false
	for i, r := range s.reported {
		if r.end <= ctxStart {
			continue
		}
		seen = seen || r.start == f.Start && s.rtypes[i] == f.Type
		s.reported[k], s.rtypes[k] = r, s.rtypes[i]
		k++
	}
	s.reported, s.rtypes = s.reported[:k], s.rtypes[:k]
	if seen {
		return false
	}
	s.reported = append(s.reported, span{f.Start, f.End})
	s.rtypes = append(s.rtypes, f.Type)
	return true
}
