package guard

import (
	"strings"
	"unsafe"

	"github.com/aigw/aigw/internal/guard/textclass"
)

// The learned detectors on a stream. A StreamScanner gives the text it
// releases to the model as it goes, holding none of it back: the model
// reads each token once, as it completes, and keeps the running sums of the
// windows textclass.Model.Score reads (pairs of half-windows of
// WindowTokens/2 tokens counted from the stream's first token), so that
//
//   - each full window is scored once, when its last token has come, with
//     the probability Score gives it in the whole answer;
//   - at the stream's end, the last (partial) window is scored too: the best
//     windows are then those Score finds in the whole answer, and the
//     evidence rules and rule checks of learned.go decide the same way.
//
// A streamed answer therefore gets the learned findings its whole text gets
// non-streamed, whatever the chunks; a finding comes when the window that
// shows it is full (every 64 tokens after the first 128) or at the end, and
// acts on what comes after it. It may come earlier than the whole answer's
// best window, which the evidence rules then read instead (an advice window
// without a financial word can outscore one with it: non-streamed finds
// nothing, streamed the earlier one).
//
// Released text is given to the model once learnFeedBytes wait (sooner at
// a paragraph end) and at the end, never per chunk; the text kept is the
// open windows' (at most WindowTokens tokens) and what waits.

const (
	// learnFeedBytes is the most released text that waits for the model;
	// a paragraph end lets learnFeedMin bytes or more go to it at once.
	// Where the text is cut does not change what the model finds, only how
	// soon: a window that fills is judged at most this many bytes later.
	learnFeedBytes = 256
	learnFeedMin   = 64
	// learnResume is how many counted tokens are read again before new text:
	// a token's features depend on the token before it and on concept words
	// up to four tokens back.
	learnResume = 8
	// learnMaxToken is the longest token the model waits to see the end of;
	// a longer run without a break (which no answer has) is counted cut
	// there, so that a stream of one endless token is not read again and
	// again.
	learnMaxToken = 1 << 10
)

// streamLearned is a StreamScanner's learned-detector state.
type streamLearned struct {
	m    *textclass.Model // nil: the policy acts on no learned detector
	out  bool
	over bool // the stream has ended for the model
	buf  []byte
	base int // stream offset of buf[0]
	// counted is the end of the last token counted; starts holds the start
	// of the last learnResume tokens counted (ring, n counted in all).
	counted int
	starts  [learnResume]int
	n       int
	// the running windows, Score's own
	ws textclass.Windows
	// per finding label (learnedLabels): reported, and the best window
	// last looked at
	done [3]bool
	seen [3]textclass.Window
	// rules holds a bit per detector a rule found in the stream.
	rules uint32
}

// learnedActs reports whether p acts on any detector a learned finding can
// have.
func learnedActs(p *Policy) bool {
	if p == nil {
		return false
	}
	for _, id := range [...]string{DetectorFinancialAdvice, DetectorInjection, DetectorJailbreak, DetectorToxicity} {
		if dp, ok := p.Detectors[id]; ok && dp.Action.rank() > 0 {
			return true
		}
	}
	return false
}

// init readies l for an answer stream (the learned detectors only read
// answers here).
func (l *streamLearned) init(m *textclass.Model) {
	*l = streamLearned{m: m, out: true, ws: m.Windows(true)}
}

// sawRule notes a rule finding of the stream.
func (l *streamLearned) sawRule(typ string) {
	if d, ok := detByID(typ); ok {
		l.rules |= 1 << d
	}
}

// ruleFound is scanner.ruleFound for the stream's rule findings.
func (l *streamLearned) ruleFound(d det) bool {
	for k := det(0); k < numDets; k++ {
		if l.rules&(1<<k) != 0 && ruleCovers(d, detIDs[k]) {
			return true
		}
	}
	return false
}

// add takes text the scanner released (final: the stream's end) and
// returns the learned findings it completes, without their features.
func (l *streamLearned) add(text string, final bool) []learnedHit {
	sc, ok := l.feed(text, final)
	if !ok {
		return nil
	}
	return l.judge(&sc, final)
}

// feed takes released text and, when it reads it (see learnFeedBytes, and
// at the end), returns the best
// windows to judge: the full windows' so far, or with final the whole
// stream's, as Score gives them.
func (l *streamLearned) feed(text string, final bool) (textclass.Scores, bool) {
	if l.over {
		return textclass.Scores{}, false
	}
	if l.buf == nil {
		l.buf = make([]byte, 0, 2*learnFeedBytes)
	}
	l.buf = append(l.buf, text...)
	waiting := l.base + len(l.buf) - l.counted
	if !final && waiting < learnFeedBytes && (waiting < learnFeedMin || strings.IndexByte(text, '\n') < 0) {
		return textclass.Scores{}, false
	}
	end := l.base + len(l.buf)
	l.read(l.resume(), end, final)
	if final {
		l.over = true
		return l.ws.Final(end), true
	}
	if l.ws.Full() == 0 {
		l.trim()
		return textclass.Scores{}, false
	}
	return l.ws.Best(), true
}

// learnedHit is a learned finding the stream made, with the window's text
// while it is at hand.
type learnedHit struct {
	f     Finding
	label int
	w     textclass.Window
	text  string // the window's text (a copy)
}

// judge turns the best windows into findings, by the rules of learned.go;
// without final only windows not looked at yet.
func (l *streamLearned) judge(sc *textclass.Scores, final bool) []learnedHit {
	var hits []learnedHit
	text := l.text(l.base, l.base+len(l.buf))
	for i, label := range learnedLabels(l.out) {
		w := sc[label]
		if l.done[i] || !final && w == l.seen[i] {
			continue
		}
		l.seen[i] = w
		if w.Start < l.base {
			continue // looked at before (the buffer keeps every open window)
		}
		f, d, ok := learnedFinding(l.m, label, sc, text, l.base)
		if !ok || l.ruleFound(d) {
			continue
		}
		hits = append(hits, learnedHit{f: f, label: label, w: w,
			text: strings.Clone(text[w.Start-l.base : w.End-l.base])})
	}
	if !final {
		l.trim()
	}
	return hits
}

// report marks label's finding made.
func (l *streamLearned) report(label int) {
	for i, x := range learnedLabels(l.out) {
		if x == label {
			l.done[i] = true
		}
	}
}

// text returns buf's bytes from stream offset from to end as a string
// without copying: it is read before buf changes and is not kept.
func (l *streamLearned) text(from, end int) string {
	if end <= from {
		return ""
	}
	return unsafe.String(&l.buf[from-l.base], end-from)
}

// resume returns where reading starts again: learnResume tokens before the
// last counted one, or the stream's start.
func (l *streamLearned) resume() int {
	if l.n < learnResume {
		return 0
	}
	return l.starts[l.n%learnResume]
}

// read counts the tokens of the stream's text from offset from (a token
// start) to end that end after l.counted; without final, not the last
// one, which the next text may continue.
func (l *streamLearned) read(from, end int, final bool) {
	text := l.text(from, end)
	w := l.m.W
	tokStart, tokEnd := -1, -1
	var sum [textclass.NumLabels]int32
	skip := true
	textclass.Features(text, l.out, func(h uint64, s, e int) {
		if e == 0 {
			return // the output marker, counted in outAdj
		}
		s, e = s+from, e+from
		if e != tokEnd { // a new token: its unigram comes first
			if tokEnd >= 0 && !skip {
				l.count(tokStart, tokEnd, &sum)
			}
			tokStart, tokEnd, sum = s, e, [textclass.NumLabels]int32{}
			skip = e <= l.counted || e == end && !final && e-s < learnMaxToken
		}
		if skip {
			return
		}
		r := textclass.Bucket(h) * textclass.NumLabels
		row := w[r : r+textclass.NumLabels : r+textclass.NumLabels]
		for k := range sum {
			sum[k] += int32(row[k])
		}
	})
	if tokEnd >= 0 && !skip {
		l.count(tokStart, tokEnd, &sum)
	}
}

// count adds a token to the windows.
func (l *streamLearned) count(start, end int, sum *[textclass.NumLabels]int32) {
	l.ws.Add(sum, end)
	l.counted = end
	l.starts[l.n%learnResume] = start
	l.n++
}

// trim drops the text no open window and no re-read needs.
func (l *streamLearned) trim() {
	keep := min(l.resume(), l.ws.Open())
	if d := keep - l.base; d > 0 {
		l.buf = append(l.buf[:0], l.buf[d:]...)
		l.base = keep
	}
}

// learn gives released text to the learned detectors and applies the
// policy to what they find: a block ends the stream (the text of this step
// is not let out; what went before has gone), and anything else is
// reported in res, as a flag — the window has gone out, nothing is left to
// redact. It reports a block, s.blocked then holding its Result.
func (s *StreamScanner) learn(res *Result, text string, final bool) bool {
	hits := s.lrn.add(text, final)
	shadow := s.p.Shadow
	for _, h := range hits {
		a := actionFor(s.p, h.f)
		if a == ActionAllow {
			continue // under the policy's threshold: a better window may come
		}
		s.lrn.report(h.label)
		f := h.f
		f.Features = s.explainWindow(h)
		if a == ActionRedact {
			a = ActionFlag
		}
		if a == ActionBlock && !shadow {
			b := Result{Action: ActionBlock, Findings: []Finding{f}, Blocked: []string{f.Type}}
			s.blocked = &b
			s.win, s.tl = nil, 0
			s.lrn.over = true
			return true
		}
		res.Findings = append(res.Findings, f)
		switch a {
		case ActionFlag:
			res.Flagged = addID(res.Flagged, f.Type)
		case ActionBlock:
			res.Blocked = addID(res.Blocked, f.Type)
		}
		if shadow {
			if a.Stronger(res.ShadowAction) || res.ShadowAction == "" {
				res.ShadowAction = a
			}
		} else if a.Stronger(res.Action) {
			res.Action = a
		}
	}
	return false
}

// explainWindow is explain for a stream's window, the value findings read
// from the window's text.
func (s *StreamScanner) explainWindow(h learnedHit) []string {
	vals := s.e.scan(h.text, Output, false)
	touches := func(start, end int) bool {
		for i := range vals {
			f := &vals[i]
			if f.Start < end && start < f.End && isValueFinding(f) {
				return true
			}
		}
		return false
	}
	return explain(s.lrn.m, h.label, h.text, h.w.Start, h.w, s.lrn.out, touches)
}
