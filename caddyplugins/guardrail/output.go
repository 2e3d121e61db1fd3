package guardrail

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/jsonwalk"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
)

// maxHeldAnswer bounds the buffer allocated up front for an answer from its
// Content-Length; a larger one grows as it comes.
const maxHeldAnswer = 8 << 20

// errBlocked is returned to the writer's caller once the policy has blocked the
// answer, so that the router stops relaying.
var errBlocked = errors.New("answer blocked by guardrail policy")

// outputScreen wraps the response writer of a chat request. A non-streamed
// answer is held whole, screened and rewritten before it is sent; a streamed
// answer is screened event by event through a guard.StreamScanner per choice,
// which holds back only what could still become a finding (at most one
// window), so nothing unscreened reaches the client. What a stream leaves
// waiting is released by a timer (sseFilter.tick), which writes beside the
// router: mu orders them. Error answers pass through untouched.
type outputScreen struct {
	mu    sync.Mutex
	timer *time.Timer
	done  bool // finished: the timer writes nothing more

	w      http.ResponseWriter
	engine *guard.Engine
	policy *guard.Policy
	window int

	status  int
	mode    int // 0 undecided, modePass, modeBuffer, modeStream
	buf     bytes.Buffer
	stream  *sseFilter
	verdict verdict
	blocked bool
	// rails, when set, runs the external rails on a screened non-streamed
	// answer and returns the names of those that block it.
	rails func(text string) []string
	// gate, when set, runs the external rails on a streamed answer.
	gate *streamGate
}

const (
	modePass = iota + 1
	modeBuffer
	modeStream
)

func newOutputScreen(w http.ResponseWriter, e *guard.Engine, p *guard.Policy, window int) *outputScreen {
	return &outputScreen{w: w, engine: e, policy: p, window: window}
}

func (o *outputScreen) Header() http.Header { return o.w.Header() }

// Unwrap lets http.NewResponseController reach the underlying writer.
func (o *outputScreen) Unwrap() http.ResponseWriter { return o.w }

func (o *outputScreen) WriteHeader(status int) {
	if o.mode != 0 {
		return
	}
	o.status = status
	ct := o.w.Header().Get("Content-Type")
	switch {
	case status/100 != 2:
		o.mode = modePass
	case strings.HasPrefix(ct, "text/event-stream"):
		o.mode = modeStream
		o.stream = newSSEFilter(o.engine, o.policy, o.window, &o.verdict)
		o.stream.gate = o.gate
		o.w.Header().Del("Content-Length")
	default:
		o.mode = modeBuffer
		if n, err := strconv.Atoi(o.w.Header().Get("Content-Length")); err == nil && n > 0 && n <= maxHeldAnswer {
			o.buf.Grow(n) // one allocation for the whole answer
		}
		return // the header goes out with the screened body
	}
	o.w.WriteHeader(status)
}

func (o *outputScreen) Write(p []byte) (int, error) {
	if o.mode == 0 {
		o.WriteHeader(http.StatusOK)
	}
	switch o.mode {
	case modeBuffer:
		return o.buf.Write(p)
	case modeStream:
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.blocked {
			return 0, errBlocked
		}
		if err := o.emit(o.stream.write(p)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return o.w.Write(p)
}

// WriteEvent screens one whole event of a stream with the router's reading
// of its chunk (state.EventWriter): the stream is read once.
func (o *outputScreen) WriteEvent(event []byte, c *oai.Chunk) error {
	if o.mode != modeStream {
		_, err := o.Write(event)
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.blocked {
		return errBlocked
	}
	out, blocked := o.stream.writeEvent(event, c)
	return o.emit(out, blocked)
}

// emit sends what the stream screen let out, and arms the timer for what
// waits; once it blocked, the writer's caller gets errBlocked. Called with
// mu held.
func (o *outputScreen) emit(out []byte, blocked bool) error {
	if len(out) > 0 {
		if _, err := o.w.Write(out); err != nil {
			return err
		}
	}
	if blocked {
		o.blocked = true
		http.NewResponseController(o.w).Flush() //nolint:errcheck
		return errBlocked
	}
	if due := o.stream.due; !due.IsZero() && !o.done {
		if o.timer == nil {
			o.timer = time.AfterFunc(time.Until(due), o.tick)
		} else {
			o.timer.Reset(time.Until(due))
		}
	}
	return nil
}

// tick releases what waited its interval, and flushes it to the client.
func (o *outputScreen) tick() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done || o.blocked {
		return
	}
	out, blocked := o.stream.tick(nil)
	if o.emit(out, blocked) == nil && len(out) > 0 {
		http.NewResponseController(o.w).Flush() //nolint:errcheck // the router sees a gone client itself
	}
}

// Hijack hands the connection over (the router closes a gone client's) once
// the timer can no longer write to it: taken under mu, after done.
func (o *outputScreen) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done = true
	if o.timer != nil {
		o.timer.Stop()
	}
	return http.NewResponseController(o.w).Hijack()
}

// ReadFrom keeps io.Copy going through Write, so nothing bypasses the screen.
func (o *outputScreen) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(struct{ io.Writer }{o}, r)
}

// Flush passes flushes on for streams; a buffered answer is flushed by finish.
func (o *outputScreen) Flush() {
	switch o.mode {
	case modeStream:
		o.mu.Lock()
		defer o.mu.Unlock()
		http.NewResponseController(o.w).Flush() //nolint:errcheck
	case modePass:
		http.NewResponseController(o.w).Flush() //nolint:errcheck
	}
}

// finish sends what is still held: the screened non-streamed answer, or the
// tail of a stream that ended without a finish event.
func (o *outputScreen) finish() error {
	switch o.mode {
	case modeBuffer:
		return o.finishBuffered()
	case modeStream:
		o.mu.Lock()
		defer o.mu.Unlock()
		o.done = true
		if o.timer != nil {
			o.timer.Stop()
		}
		if o.blocked {
			return nil
		}
		if out := o.stream.close(); len(out) > 0 {
			_, err := o.w.Write(out)
			return err
		}
	}
	return nil
}

func (o *outputScreen) finishBuffered() error {
	body := o.buf.Bytes()
	spans, ok := oai.AnswerSpans(body)
	if !ok {
		return o.finishDecoded(body)
	}
	var out []byte // body with redacted contents spliced in, once one is
	last := 0
	for _, sp := range spans {
		text, ok := jsonwalk.String(body[sp.Start:sp.End])
		if !ok {
			return o.finishDecoded(body)
		}
		if len(text) == 0 {
			continue
		}
		if redacted, changed := o.screenText(string(text), !sp.Args); changed {
			out = providers.AppendString(append(out, body[last:sp.Start]...), redacted)
			last = sp.End
		}
	}
	if o.blockIfNeeded() {
		return nil
	}
	if out != nil {
		body = append(out, body[last:]...)
	}
	return o.send(body)
}

// finishDecoded is finishBuffered for an answer the byte walk did not read
// (content arrays, duplicate keys, not JSON): it decodes what it can, and
// screens the whole body as text.
func (o *outputScreen) finishDecoded(body []byte) error {
	var ans struct {
		Choices []struct {
			Message struct {
				Content *string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if json.Unmarshal(body, &ans) == nil {
		redacted := map[int]string{}
		for i, c := range ans.Choices {
			if c.Message.Content == nil || *c.Message.Content == "" {
				continue
			}
			if text, changed := o.screenText(*c.Message.Content, true); changed {
				redacted[i] = text
			}
		}
		if len(redacted) > 0 {
			out, err := rewriteAnswer(body, redacted)
			if err != nil {
				return err
			}
			body = out
		}
	}
	// What the decode did not read (not JSON, content parts, tool call
	// arguments) is screened as text.
	if res := o.engine.Apply(string(body), o.policy, guard.Output); res.Action != guard.ActionAllow {
		o.verdict.add(res)
		if res.Action == guard.ActionRedact {
			body = []byte(res.Text)
		}
	}
	if o.blockIfNeeded() {
		return nil
	}
	return o.send(body)
}

// screenText screens one choice's answer, or a tool call's arguments, and
// with rails the external rails when set, into the verdict; it returns the
// redacted text when redaction changed it.
func (o *outputScreen) screenText(text string, rails bool) (string, bool) {
	res := o.engine.Apply(text, o.policy, guard.Output)
	o.verdict.add(res)
	if rails && o.rails != nil && res.Action != guard.ActionBlock {
		if names := o.rails(res.Text); len(names) > 0 {
			o.verdict.action = guard.ActionBlock
			o.verdict.detectors = append(o.verdict.detectors, names...)
		}
	}
	return res.Text, res.Action == guard.ActionRedact && res.Text != text
}

// blockIfNeeded sends the blocked-answer error when the verdict is a block.
func (o *outputScreen) blockIfNeeded() bool {
	if o.verdict.action != guard.ActionBlock {
		return false
	}
	o.blocked = true
	o.w.Header().Del("Content-Length")
	apierr.Write(o.w, blockedAnswer(o.verdict.detectors))
	return true
}

func (o *outputScreen) send(body []byte) error {
	o.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	o.w.WriteHeader(o.status)
	_, err := o.w.Write(body)
	return err
}

// blockedAnswer is the error a client gets for an answer the policy blocked;
// it names detectors, never the text.
func blockedAnswer(detectors []string) *apierr.Error {
	return apierr.Newf(http.StatusBadRequest, "guardrail_violation",
		"The model's answer was blocked by the gateway's content policy (%s).", strings.Join(detectors, ", "))
}

// rewriteAnswer sets choices[i].message.content of a chat.completion body.
func rewriteAnswer(body []byte, redacted map[int]string) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := unmarshalNumbers(body, &obj); err != nil {
		return nil, err
	}
	choicesKey := field(obj, "choices")
	var choices []map[string]json.RawMessage
	if err := unmarshalNumbers(obj[choicesKey], &choices); err != nil {
		return nil, err
	}
	for i, text := range redacted {
		msgKey := field(choices[i], "message")
		var msg map[string]json.RawMessage
		if err := unmarshalNumbers(choices[i][msgKey], &msg); err != nil {
			return nil, err
		}
		msg[field(msg, "content")], _ = json.Marshal(text)
		choices[i][msgKey], _ = json.Marshal(msg)
	}
	var err error
	if obj[choicesKey], err = json.Marshal(choices); err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}
