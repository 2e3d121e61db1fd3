package guardrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/jsonwalk"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/sse"
)

// sseFilter screens an OpenAI chat.completion.chunk stream. Each choice's
// delta.content, and the arguments of each of its tool calls, go through
// their own guard.StreamScanner, which releases at once all but what could
// still become a finding, and gives what it lets out to the learned
// detectors; the event carries the text the scanner lets out (possibly
// empty, never unscreened). Text that comes within interval of a
// part's last scan waits, up to batchSize bytes, for the next: a scan costs
// about the same for one token as for a few, and a stream's first text is
// scanned at once. A finish event, [DONE] or an error event first release
// what the scanners still hold. A block ends the stream with an OpenAI error
// event, which the SDKs raise. What waits is released by tick.
type sseFilter struct {
	engine   *guard.Engine
	policy   *guard.Policy
	window   int
	verdict  *verdict
	frames   sse.Framer // what was written, framed into events
	chunk    oai.Chunk  // a chunk read here, when the router passed none
	out      []byte     // what write returns; reused
	parts    map[part]*held
	lastData []byte // a copy of the last chunk seen, to shape a closing chunk
	// interval is the longest text waits, unscanned or held as a plain
	// word; batchSize is the most it gathers before a scan.
	interval  time.Duration
	batchSize int
	now       func() time.Time
	// due is when tick next has something to release (zero: nothing).
	due time.Time
	// gate, when set, holds content until the external rails pass it.
	gate *streamGate
}

// streamInterval is the longest streamed text waits for the guardrail when
// nothing in it could become a finding; streamBatch the most text gathered
// before a scan.
const (
	streamInterval = 50 * time.Millisecond
	streamBatch    = 64
)

// part is a text a stream screens on its own: a choice's content (tool -1)
// or the arguments of one of its tool calls.
type part struct{ choice, tool int }

// held is a part's scanner, its text not yet scanned and when it last was;
// with a gate, the screened text waiting for the rails (rail, since
// railSince) and what they passed.
type held struct {
	sc        *guard.StreamScanner
	batch     []byte
	scanned   time.Time
	rail      []byte
	railSince time.Time
	passed    []byte
}

// newSSEFilter screens with scanners that hold back at most window bytes,
// the longest value still caught when split across chunks.
func newSSEFilter(e *guard.Engine, p *guard.Policy, window int, v *verdict) *sseFilter {
	return &sseFilter{engine: e, policy: p, window: window, verdict: v, parts: map[part]*held{},
		interval: streamInterval, batchSize: streamBatch, now: time.Now}
}

// chunkEnvelope is the part of a chunk needed to write a synthesized one.
type chunkEnvelope struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
}

// write consumes stream bytes and returns what may go to the client (valid
// until the next call), and whether the policy blocked the answer. The bytes
// are framed into events (internal/sse), each screened where it lies.
func (f *sseFilter) write(p []byte) ([]byte, bool) {
	out := f.out[:0]
	defer func() { f.out = out[:0] }()
	if err := f.frames.Write(p); err != nil {
		// An event larger than any stream carries: screened as text.
		return f.raw(out, p)
	}
	for ev, ok := f.frames.Next(); ok; ev, ok = f.frames.Next() {
		var blocked bool
		if out, blocked = f.event(out, ev, nil); blocked {
			return out, true
		}
	}
	return out, false
}

// writeEvent screens one whole event the router wrote with its reading of
// the chunk (nil when it has none), as write does.
func (f *sseFilter) writeEvent(event []byte, c *oai.Chunk) ([]byte, bool) {
	if len(f.frames.Rest()) > 0 {
		// Raw bytes came before, unfinished: keep the stream's order.
		return f.write(event)
	}
	out, blocked := f.event(f.out[:0], event, c)
	f.out = out[:0]
	return out, blocked
}

// close screens an event the stream ended inside of (no blank line after
// it), then releases the scanners' held text when the stream ended without a
// finish event, as a last chunk.
func (f *sseFilter) close() []byte {
	var out []byte
	if rest := f.frames.Rest(); len(rest) > 0 {
		last := append(rest, "\n\n"...)
		f.frames.Reset()
		var blocked bool
		if out, blocked = f.event(out, last, nil); blocked {
			return out
		}
	}
	out, _ = f.release(out, func(part) bool { return true })
	return out
}

// release flushes the parts that match, in order, each into a chunk of its
// own appended to dst; it reports a block.
func (f *sseFilter) release(dst []byte, match func(part) bool) ([]byte, bool) {
	var buf [4]part // nearly every stream has one part: no allocation
	ps := buf[:0]
	for p := range f.parts {
		if match(p) {
			ps = append(ps, p)
		}
	}
	sortParts(ps)
	for _, p := range ps {
		text, blocked := f.screen(p, nil, true)
		if blocked {
			return append(dst, errorEvent(f.verdict.detectors)...), true
		}
		if text != "" {
			dst = append(dst, f.synth(p, text)...)
		}
		delete(f.parts, p)
	}
	return dst, false
}

// event screens one SSE event and appends what may go out to dst; c is the
// router's reading of its chunk, or nil.
func (f *sseFilter) event(dst, event []byte, c *oai.Chunk) ([]byte, bool) {
	data, ok := sse.Data(event, nil)
	data = bytes.TrimSpace(data)
	if ok && string(data) == "[DONE]" {
		// The end: what is held goes out before it, not after.
		dst, blocked := f.release(dst, func(part) bool { return true })
		if blocked {
			return dst, true
		}
		return append(dst, event...), false
	}
	if !ok || len(data) == 0 || data[0] != '{' {
		return f.raw(dst, event) // comments, other fields, data that is not JSON
	}
	if c == nil && oai.ReadChunk(data, &f.chunk) {
		c = &f.chunk
	}
	if c != nil && c.Error {
		// A provider's (or the router's) error ends the stream: the screened
		// text held back goes out first, in chunks without a finish, so that
		// the client has it before the error, and no clean end is faked.
		dst, blocked := f.release(dst, func(part) bool { return true })
		if blocked {
			return dst, true
		}
		return f.raw(dst, event)
	}
	if c != nil && c.Choices == 1 && c.Shaped {
		f.lastData = append(f.lastData[:0], c.Data...)
		return f.fast(dst, c)
	}
	var obj map[string]json.RawMessage
	if unmarshalNumbers(data, &obj) != nil {
		return f.raw(dst, event)
	}
	choicesKey := field(obj, "choices")
	var choices []map[string]json.RawMessage
	if unmarshalNumbers(obj[choicesKey], &choices) != nil || len(choices) == 0 {
		return f.raw(dst, event) // usage chunk, errors
	}
	f.lastData = append(f.lastData[:0], data...)
	for _, c := range choices {
		blocked, err := f.choice(c)
		if err != nil {
			return f.raw(dst, event)
		}
		if blocked {
			return append(dst, errorEvent(f.verdict.detectors)...), true
		}
	}
	var err error
	if obj[choicesKey], err = json.Marshal(choices); err != nil {
		return f.raw(dst, event)
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return f.raw(dst, event)
	}
	return append(append(append(dst, "data: "...), b...), '\n', '\n'), false
}

// raw screens an event the filter does not read as a chunk (no choices, a
// content of another type, not JSON at all) as plain text, so that nothing
// reaches the client unscreened: a value is redacted where it lies, a block
// ends the stream.
func (f *sseFilter) raw(dst, event []byte) ([]byte, bool) {
	res := f.engine.Apply(string(event), f.policy, guard.Output)
	f.verdict.add(res)
	if res.Action == guard.ActionBlock {
		return append(dst, errorEvent(f.verdict.detectors)...), true
	}
	if res.Action == guard.ActionRedact {
		return append(dst, res.Text...), false
	}
	return append(dst, event...), false
}

// fast screens a one-choice chunk read in place (oai.ReadChunk), splicing
// the screened text into the event without decoding it. A chunk that carried
// only text, all of it held back, is left out: it would tell the client
// nothing.
func (f *sseFilter) fast(dst []byte, c *oai.Chunk) ([]byte, bool) {
	data, finished := c.Data, c.Finish != nil
	emit, blocked := f.screen(part{c.Index, -1}, c.Content, finished)
	if blocked {
		return append(dst, errorEvent(f.verdict.detectors)...), true
	}
	if len(c.Args) > 0 || finished && f.hasCalls(c.Index) {
		return f.fastCalls(dst, c, emit)
	}
	if emit == "" && c.OnlyText && !finished {
		return dst, false
	}
	dst = append(dst, "data: "...)
	switch {
	case emit == "" && len(c.Content) == 0: // nothing to put in, nothing taken out
		dst = append(dst, data...)
	case c.HasContent:
		dst = append(providers.AppendString(append(dst, data[:c.Start]...), emit), data[c.End:]...)
	default:
		// A finish chunk with an empty delta: the held text goes into it.
		d := c.Delta + 1 // past '{'
		dst = providers.AppendString(append(append(dst, data[:d]...), `"content":`...), emit)
		if data[jsonwalk.SkipSpace(data, d)] != '}' {
			dst = append(dst, ',')
		}
		dst = append(dst, data[d:]...)
	}
	return append(dst, '\n', '\n'), false
}

// fastCalls is fast for a chunk with tool call arguments, or the finish of
// a choice that made calls: each call's arguments are screened as a part of
// their own and what their scanner lets out is spliced in. At the finish,
// the calls this chunk does not carry release what they hold first, in
// chunks of their own; held content goes out the same way.
func (f *sseFilter) fastCalls(dst []byte, c *oai.Chunk, emit string) ([]byte, bool) {
	type cut struct {
		start, end int
		text       string
	}
	data, finished := c.Data, c.Finish != nil
	var cuts []cut
	carried := map[int]bool{}
	for _, a := range c.Args {
		text, blocked := f.screen(part{c.Index, a.Tool}, a.Text, finished)
		if blocked {
			return append(dst, errorEvent(f.verdict.detectors)...), true
		}
		cuts = append(cuts, cut{a.Start, a.End, text})
		carried[a.Tool] = true
	}
	if finished {
		var blocked bool
		dst, blocked = f.release(dst, func(p part) bool { return p.choice == c.Index && p.tool >= 0 && !carried[p.tool] })
		if blocked {
			return dst, true
		}
	}
	switch {
	case c.HasContent && (emit != "" || len(c.Content) > 0):
		cuts = append(cuts, cut{c.Start, c.End, emit})
	case emit != "":
		dst = append(dst, f.synth(part{c.Index, -1}, emit)...)
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].start < cuts[j].start })
	dst = append(dst, "data: "...)
	last := 0
	for _, x := range cuts {
		dst = providers.AppendString(append(dst, data[last:x.start]...), x.text)
		last = x.end
	}
	return append(append(dst, data[last:]...), '\n', '\n'), false
}

// hasCalls reports whether choice has tool call arguments being screened.
func (f *sseFilter) hasCalls(choice int) bool {
	for p := range f.parts {
		if p.choice == choice && p.tool >= 0 {
			return true
		}
	}
	return false
}

// screen passes a part's new text through its scanner; final releases what
// the scanner holds. It reports a block.
func (f *sseFilter) screen(p part, text []byte, final bool) (string, bool) {
	h := f.parts[p]
	if h == nil {
		h = &held{sc: guard.NewStreamScanner(f.engine, f.policy, f.window)}
		f.parts[p] = h
	}
	if len(text) == 0 && !final {
		return "", false // nothing new; what waits is tick's
	}
	h.batch = append(h.batch, text...)
	now := f.now()
	if !final && len(h.batch) < f.batchSize && now.Sub(h.scanned) < f.interval {
		f.wake(h.scanned.Add(f.interval))
		return "", false
	}
	var emit string
	res := guard.Result{Action: guard.ActionAllow}
	if len(h.batch) > 0 {
		emit, res = h.sc.WriteBytes(h.batch)
		h.batch, h.scanned = h.batch[:0], now
	}
	if final {
		rest, fres := h.sc.Flush()
		emit += rest
		res = merge(res, fres)
	} else if n, plain := h.sc.Held(); n > 0 && plain {
		f.wake(now.Add(f.interval))
	}
	f.verdict.add(res)
	if res.Action == guard.ActionBlock {
		return "", true
	}
	return f.gated(p, h, emit, final)
}

// wake asks for a tick at t, unless one comes earlier.
func (f *sseFilter) wake(t time.Time) {
	if f.due.IsZero() || t.Before(f.due) {
		f.due = t
	}
}

// tick releases, as chunks of their own, what has waited its interval: text
// gathered but not scanned, and an unfinished plain word the stream paused
// on (guard.StreamScanner.Settle). It reports a block.
func (f *sseFilter) tick(dst []byte) ([]byte, bool) {
	now := f.now()
	f.due = time.Time{}
	var buf [4]part
	ps := buf[:0]
	for p := range f.parts {
		ps = append(ps, p)
	}
	sortParts(ps)
	for _, p := range ps {
		h := f.parts[p]
		if at := h.scanned.Add(f.interval); now.Before(at) {
			if n, _ := h.sc.Held(); n > 0 || len(h.batch) > 0 {
				f.wake(at)
			}
			text, blocked := f.gated(p, h, "", false) // text that waited for the rails
			if blocked {
				return append(dst, errorEvent(f.verdict.detectors)...), true
			}
			if text != "" {
				dst = append(dst, f.synth(p, text)...)
			}
			continue
		}
		emit, res := h.sc.WriteBytes(h.batch)
		h.batch, h.scanned = h.batch[:0], now
		settled, sres := h.sc.Settle()
		res = merge(res, sres)
		f.verdict.add(res)
		if res.Action == guard.ActionBlock {
			return append(dst, errorEvent(f.verdict.detectors)...), true
		}
		text, blocked := f.gated(p, h, emit+settled, false)
		if blocked {
			return append(dst, errorEvent(f.verdict.detectors)...), true
		}
		if text != "" {
			dst = append(dst, f.synth(p, text)...)
		}
		if n, plain := h.sc.Held(); n > 0 && plain {
			f.wake(now.Add(f.interval))
		}
	}
	return dst, false
}

func sortParts(ps []part) {
	slices.SortFunc(ps, func(a, b part) int {
		if a.choice != b.choice {
			return a.choice - b.choice
		}
		return a.tool - b.tool
	})
}

// errCallsInChoices sends a chunk of several choices with tool calls to
// screening as text.
var errCallsInChoices = errors.New("tool calls in a chunk of several choices")

// choice screens one choice's delta in place; it reports a block.
func (f *sseFilter) choice(c map[string]json.RawMessage) (bool, error) {
	var idx int
	if raw, ok := c[field(c, "index")]; ok {
		if err := json.Unmarshal(raw, &idx); err != nil {
			return false, err
		}
	}
	deltaKey := field(c, "delta")
	var delta map[string]json.RawMessage
	if raw := c[deltaKey]; len(raw) > 0 && string(raw) != "null" {
		if err := unmarshalNumbers(raw, &delta); err != nil {
			return false, err
		}
	}
	if _, ok := delta[field(delta, "tool_calls")]; ok {
		// Tool calls in a chunk of several choices: screened as text by
		// the caller (rare: the fast path reads one choice's calls).
		return false, errCallsInChoices
	}
	contentKey := field(delta, "content")
	var content string
	if raw, ok := delta[contentKey]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &content); err != nil {
			return false, err
		}
	}
	finish := c[field(c, "finish_reason")]
	finished := len(finish) > 0 && string(finish) != "null"
	emit, blocked := f.screen(part{idx, -1}, []byte(content), finished)
	if blocked {
		return true, nil
	}
	if content == "" && emit == "" {
		return false, nil
	}
	if delta == nil {
		delta = map[string]json.RawMessage{}
	}
	delta[contentKey], _ = json.Marshal(emit)
	var err error
	c[deltaKey], err = json.Marshal(delta)
	return false, err
}

// field returns the key of m that a Go client (encoding/json matches keys
// regardless of case, the last one winning) reads as the field name, once m
// is encoded again: json.Marshal sorts keys, so that is the greatest of the
// keys equal to name but for case, which is name itself when m has it. It
// returns name when m has none, to be added.
func field(m map[string]json.RawMessage, name string) string {
	found := ""
	for k := range m {
		if k > found && strings.EqualFold(k, name) {
			found = k
		}
	}
	if found == "" {
		return name
	}
	return found
}

func merge(a, b guard.Result) guard.Result {
	if b.Action.Stronger(a.Action) {
		a.Action = b.Action
	}
	if b.ShadowAction.Stronger(a.ShadowAction) {
		a.ShadowAction = b.ShadowAction
	}
	a.Findings = append(a.Findings, b.Findings...)
	return a
}

// synth writes a chunk carrying text for part p: its content, or the
// arguments of its tool call.
func (f *sseFilter) synth(p part, text string) []byte {
	type function struct {
		Arguments string `json:"arguments"`
	}
	type call struct {
		Index    int      `json:"index"`
		Function function `json:"function"`
	}
	type delta struct {
		Content   *string `json:"content,omitempty"`
		ToolCalls []call  `json:"tool_calls,omitempty"`
	}
	type choice struct {
		Index        int     `json:"index"`
		Delta        delta   `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	}
	var env chunkEnvelope
	json.Unmarshal(f.lastData, &env) //nolint:errcheck // best effort: it only shapes the chunk
	d := delta{Content: &text}
	if p.tool >= 0 {
		d = delta{ToolCalls: []call{{Index: p.tool, Function: function{text}}}}
	}
	chunk := struct {
		chunkEnvelope
		Choices []choice `json:"choices"`
	}{env, []choice{{Index: p.choice, Delta: d}}}
	if chunk.Object == "" {
		chunk.Object = "chat.completion.chunk"
	}
	b, _ := json.Marshal(chunk)
	return append(append([]byte("data: "), b...), '\n', '\n')
}

// errorEvent ends a stream the policy blocked, in the OpenAI error shape.
func errorEvent(detectors []string) []byte {
	b := blockedAnswer(detectors).Body()
	return append(append([]byte("data: "), b...), '\n', '\n')
}
