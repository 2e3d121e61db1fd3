package guardrail

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/jsonwalk"
	"github.com/aigw/aigw/internal/providers"
)

// sseFilter screens an OpenAI chat.completion.chunk stream. Each choice's
// delta.content goes through its own guard.StreamScanner; the event is
// re-encoded with the text the scanner lets out (possibly empty, never
// unscreened). A finish event first releases what the scanner still holds. A
// block ends the stream with an OpenAI error event, which the SDKs raise.
type sseFilter struct {
	engine   *guard.Engine
	policy   *guard.Policy
	window   int
	verdict  *verdict
	pending  []byte // the start of an event whose end has not come yet
	out      []byte // what write returns; reused
	scanners map[int]*guard.StreamScanner
	lastData []byte // a copy of the last chunk seen, to shape a closing chunk
	// batch holds each choice's newest text until it reaches batchSize bytes:
	// scanning costs the same for one token as for a few, and the scanner
	// holds back a window anyway, so batching adds no delay past the window.
	batch     map[int][]byte
	batchSize int
}

// newSSEFilter screens with a total hold-back of window bytes: a quarter of
// it batches text between scans, the rest is the scanner's window (192 of the
// default 256 bytes), the longest value still caught when split across
// chunks. Each scan re-reads the window, so fewer, larger batches cost less.
func newSSEFilter(e *guard.Engine, p *guard.Policy, window int, v *verdict) *sseFilter {
	batch := window / 4
	return &sseFilter{engine: e, policy: p, window: window - batch, verdict: v,
		scanners: map[int]*guard.StreamScanner{}, batch: map[int][]byte{}, batchSize: batch}
}

// chunkEnvelope is the part of a chunk needed to write a synthesized one.
type chunkEnvelope struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
}

// write consumes stream bytes and returns what may go to the client (valid
// until the next call), and whether the policy blocked the answer. Whole
// events, as the router writes them, are screened where they lie.
func (f *sseFilter) write(p []byte) ([]byte, bool) {
	data := p
	if len(f.pending) > 0 {
		f.pending = append(f.pending, p...)
		data = f.pending
	}
	out := f.out[:0]
	defer func() { f.out = out[:0] }()
	for {
		end := eventEnd(data)
		if end < 0 {
			// Keep the unfinished event; data may lie in pending itself.
			f.pending = append(f.pending[:0], data...)
			return out, false
		}
		var blocked bool
		if out, blocked = f.event(out, data[:end]); blocked {
			return out, true
		}
		data = data[end:]
	}
}

// eventEnd returns the length of the first event in b, its blank line ("\n"
// or "\r\n" after a line end) included, or -1 when b holds no whole event.
func eventEnd(b []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		if i < len(b) && b[i] == '\n' {
			return i + 1
		}
		if i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n' {
			return i + 2
		}
	}
}

// close screens an event the stream ended inside of (no blank line after
// it), then releases the scanners' held text when the stream ended without a
// finish event, as a last chunk.
func (f *sseFilter) close() []byte {
	var out []byte
	if len(f.pending) > 0 {
		last := append(f.pending, "\n\n"...)
		f.pending = nil
		var blocked bool
		if out, blocked = f.event(out, last); blocked {
			return out
		}
	}
	for _, idx := range f.indexes() {
		emit, res := f.scanners[idx].Write(string(f.batch[idx]))
		f.batch[idx] = nil
		rest, fres := f.scanners[idx].Flush()
		text, res := emit+rest, merge(res, fres)
		if text != "" || res.Action == guard.ActionBlock {
			f.verdict.add(res)
			if res.Action == guard.ActionBlock {
				return append(out, errorEvent(f.verdict.detectors)...)
			}
			out = append(out, f.synth(idx, text)...)
		}
	}
	return out
}

func (f *sseFilter) indexes() []int {
	idx := make([]int, 0, len(f.scanners))
	for i := range f.scanners {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	return idx
}

// event screens one SSE event and appends what may go out to dst.
func (f *sseFilter) event(dst, event []byte) ([]byte, bool) {
	data, ok := bytes.CutPrefix(bytes.TrimRight(event, "\r\n"), []byte("data:"))
	data = bytes.TrimSpace(data)
	if ok && string(data) == "[DONE]" {
		return append(dst, event...), false
	}
	if !ok || len(data) == 0 || data[0] != '{' {
		return f.raw(dst, event) // comments, other fields, data that is not JSON
	}
	if c, ok := parseFastChunk(data); ok {
		f.lastData = append(f.lastData[:0], data...)
		return f.fast(dst, data, c)
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

// fast screens a one-choice chunk located by parseFastChunk, splicing the
// screened text into the event without decoding it. A chunk that carried
// only text, all of it held back, is left out: it would tell the client
// nothing.
func (f *sseFilter) fast(dst, data []byte, c fastChunk) ([]byte, bool) {
	emit, blocked := f.screen(c.index, c.content, c.finished)
	if blocked {
		return append(dst, errorEvent(f.verdict.detectors)...), true
	}
	if emit == "" && c.onlyText && !c.finished {
		return dst, false
	}
	dst = append(dst, "data: "...)
	switch {
	case emit == "" && len(c.content) == 0: // nothing to put in, nothing taken out
		dst = append(dst, data...)
	case c.hasContent:
		dst = append(providers.AppendString(append(dst, data[:c.start]...), emit), data[c.end:]...)
	default:
		// A finish chunk with an empty delta: the held text goes into it.
		d := c.delta + 1 // past '{'
		dst = providers.AppendString(append(append(dst, data[:d]...), `"content":`...), emit)
		if data[jsonwalk.SkipSpace(data, d)] != '}' {
			dst = append(dst, ',')
		}
		dst = append(dst, data[d:]...)
	}
	return append(dst, '\n', '\n'), false
}

// screen passes one choice's new content through its scanner; finished
// releases what the scanner holds. It reports a block.
func (f *sseFilter) screen(idx int, content []byte, finished bool) (string, bool) {
	sc := f.scanners[idx]
	if sc == nil {
		sc = guard.NewStreamScanner(f.engine, f.policy, f.window)
		f.scanners[idx] = sc
	}
	pending := append(f.batch[idx], content...)
	if !finished && len(pending) < f.batchSize {
		f.batch[idx] = pending
		return "", false
	}
	f.batch[idx] = pending[:0]
	emit, res := sc.WriteBytes(pending)
	if finished {
		rest, fres := sc.Flush()
		emit += rest
		res = merge(res, fres)
	}
	f.verdict.add(res)
	return emit, res.Action == guard.ActionBlock
}

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
	contentKey := field(delta, "content")
	var content string
	if raw, ok := delta[contentKey]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &content); err != nil {
			return false, err
		}
	}
	finish := c[field(c, "finish_reason")]
	finished := len(finish) > 0 && string(finish) != "null"
	emit, blocked := f.screen(idx, []byte(content), finished)
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

// synth writes a chunk carrying text for choice idx.
func (f *sseFilter) synth(idx int, text string) []byte {
	type delta struct {
		Content string `json:"content"`
	}
	type choice struct {
		Index        int     `json:"index"`
		Delta        delta   `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	}
	var env chunkEnvelope
	json.Unmarshal(f.lastData, &env) //nolint:errcheck // best effort: it only shapes the chunk
	chunk := struct {
		chunkEnvelope
		Choices []choice `json:"choices"`
	}{env, []choice{{Index: idx, Delta: delta{text}}}}
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
