package route

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/sse"
)

// errClientGone means the client went away; nothing can be written to it.
var errClientGone = errors.New("client disconnected")

// errAttemptTimeout ends an attempt whose first byte took longer than the
// route's attempt_timeout.
var errAttemptTimeout = errors.New("attempt timed out before the first byte")

// errProviderTimeout ends a call that outlived the provider's timeout.
var errProviderTimeout = errors.New("the provider's timeout passed")

// maxBufferedAnswer bounds how much of a non-streamed answer is held to read
// it; a larger OpenAI-format answer is passed on as it comes and its usage
// is left unread.
const maxBufferedAnswer = 32 << 20

// maxRefusal bounds how much of a provider's refusal is read.
const maxRefusal = 64 << 10

// exchange makes one call and relays its answer: the provider's refusal
// becomes the client's error, an accepted answer goes to the client, whole
// or event by event. What the answer carried goes to the request state.
func (h *Handler) exchange(ctx context.Context, w http.ResponseWriter, st *state.Request, a providers.Adapter,
	p *catalog.Provider, call *providers.Call, started func()) outcome {
	sent := time.Now()
	if st.ProviderCalled.IsZero() {
		st.ProviderCalled = sent
	}
	st.Called = false
	resp, err := a.Send(ctx, call)
	if resp != nil {
		st.ProviderAnswered = time.Now()
	}
	if err != nil {
		if clientGone(ctx) {
			st.Called = true // in flight when the client left: the provider may bill it
			return outcome{err: errClientGone}
		}
		return outcome{err: transportError(ctx, p, err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxRefusal))
		e := apierr.From(a.Error(resp.StatusCode, resp.Header, raw))
		return outcome{err: e.WithCause(fmt.Errorf("provider %s answered %d", p.Name, resp.StatusCode))}
	}
	started()
	st.Called = true
	defer func() { st.SetRelay(call.Reader.Relay()) }()
	answerHeaders(w, resp, call.Stream)
	var o outcome
	if call.Stream {
		o = h.relayStream(ctx, w, st, p, call, resp)
	} else {
		o = relayWhole(w, st, p, call, resp)
	}
	if !st.FirstByte.IsZero() {
		o.ttft = st.FirstByte.Sub(sent)
	}
	if o.err != nil && clientGone(ctx) {
		o.err = errClientGone
	}
	return o
}

// transportError classifies a call that got no answer: a timeout (504) or
// an unreachable provider (502).
func transportError(ctx context.Context, p *catalog.Provider, err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() ||
		errors.Is(context.Cause(ctx), errAttemptTimeout) || errors.Is(context.Cause(ctx), errProviderTimeout) {
		return apierr.Newf(http.StatusGatewayTimeout, providers.CodeTimeout,
			"The provider %q did not answer in time.", p.Name).WithCause(err)
	}
	return apierr.Newf(http.StatusBadGateway, "upstream_unreachable",
		"The provider %q could not be reached.", p.Name).WithCause(err)
}

// streamCut is the error of an answer the provider broke off.
func streamCut(p *catalog.Provider, cause error) *apierr.Error {
	return apierr.Newf(http.StatusBadGateway, providers.CodeStreamCut, "The provider %q broke off its answer.", p.Name).WithCause(cause)
}

// answerHeaders passes on the answer's type and the provider's request id.
func answerHeaders(w http.ResponseWriter, resp *http.Response, stream bool) {
	ct := resp.Header.Get("Content-Type")
	switch {
	case stream && !strings.HasPrefix(ct, "text/event-stream"):
		ct = "text/event-stream"
	case !stream && ct == "":
		ct = "application/json"
	}
	hd := w.Header()
	id := ""
	for _, name := range [...]string{"X-Request-Id", "Request-Id", "Apim-Request-Id", "X-Goog-Request-Id"} {
		if id = resp.Header.Get(name); id != "" {
			break
		}
	}
	switch {
	case stream && id != "":
		state.SetHeaders(hd, "Content-Type", ct, "Cache-Control", "no-cache", "X-Accel-Buffering", "no", "X-Request-Id", id)
	case stream:
		state.SetHeaders(hd, "Content-Type", ct, "Cache-Control", "no-cache", "X-Accel-Buffering", "no")
	case id != "":
		state.SetHeaders(hd, "Content-Type", ct, "X-Request-Id", id)
	default:
		state.SetHeaders(hd, "Content-Type", ct)
	}
}

// relayWhole reads a non-streamed answer (up to maxBufferedAnswer), has the
// adapter read it, and sends what it made with its length. An answer cut
// while it was read has sent nothing, and can be retried.
func relayWhole(w http.ResponseWriter, st *state.Request, p *catalog.Provider, call *providers.Call, resp *http.Response) outcome {
	body, err := readAnswer(resp)
	if err != nil {
		return outcome{err: streamCut(p, err)}
	}
	if len(body) > maxBufferedAnswer {
		if _, passthrough := call.Reader.(providers.ChunkReader); !passthrough {
			return outcome{err: apierr.Newf(http.StatusBadGateway, providers.CodeUpstream,
				"The provider %q sent an answer larger than the gateway reads.", p.Name)}
		}
		w.WriteHeader(resp.StatusCode)
		st.FirstByte = time.Now()
		if _, err := w.Write(body); err != nil {
			return outcome{written: true, err: err}
		}
		_, err = io.Copy(w, resp.Body)
		return outcome{written: true, err: err}
	}
	out, err := call.Reader.Answer(body)
	if err != nil {
		return outcome{err: apierr.Newf(http.StatusBadGateway, providers.CodeUpstream,
			"The provider %q sent an answer the gateway could not read.", p.Name).WithCause(err)}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(resp.StatusCode)
	st.FirstByte = time.Now()
	_, err = w.Write(out)
	return outcome{written: true, err: err}
}

// readAnswer reads up to maxBufferedAnswer+1 bytes of an answer, into one
// buffer of its announced length when it has one.
func readAnswer(resp *http.Response) ([]byte, error) {
	r := io.LimitReader(resp.Body, maxBufferedAnswer+1)
	n := resp.ContentLength
	if n <= 0 || n > maxBufferedAnswer {
		return io.ReadAll(r)
	}
	buf := make([]byte, n+1) // one byte more: a body longer than announced shows
	read := 0
	for read < len(buf) {
		m, err := r.Read(buf[read:])
		read += m
		if err == io.EOF {
			return buf[:read], nil
		}
		if err != nil {
			return buf[:read], err
		}
	}
	rest, err := io.ReadAll(r)
	return append(buf[:read], rest...), err
}

// relayBufSize is the read buffer of a relayed stream: bigger than any
// ordinary event, so that a read takes in several.
const relayBufSize = 32 << 10

var relayBufs = sync.Pool{New: func() any { b := make([]byte, 0, relayBufSize); return &b }}

// relayStream reads the provider's events as they arrive, framed once
// (internal/sse), has the adapter read each, and passes what it makes on,
// flushing whenever nothing more is buffered: events that arrived together
// go out together. Nothing is sent before the adapter made something, so a
// stream that fails before its first event can still be retried elsewhere;
// after it, a failure ends the stream with an OpenAI error event. An event
// passed on unchanged goes to a writer that takes events (the guardrail)
// with the chunk the adapter read.
func (h *Handler) relayStream(ctx context.Context, w http.ResponseWriter, st *state.Request, p *catalog.Provider,
	call *providers.Call, resp *http.Response) outcome {
	bp := relayBufs.Get().(*[]byte)
	rd := sse.NewReader(resp.Body, *bp)
	defer func() { *bp = rd.Buffer(); relayBufs.Put(bp) }()
	s := streamOut{w: w, rc: http.NewResponseController(w), st: st, resp: resp}
	s.ew, _ = w.(state.EventWriter)
	cr, _ := call.Reader.(providers.ChunkReader)
	var out []byte
	for {
		ev, err := rd.Next()
		var failure error
		switch {
		case err == nil || err == sse.ErrUnfinished && len(ev) > 0:
			if err != nil {
				ev = append(ev, "\n\n"...) // the stream ended inside it: end it
			}
			if out, failure = call.Reader.Event(out[:0], ev); failure != nil {
				return s.fail(ctx, p, failure)
			}
			if len(out) > 0 {
				if werr := s.send(out, cr, rd.Buffered() && err == nil); werr != nil {
					return outcome{written: true, err: werr}
				}
			}
			if err == nil {
				continue
			}
			fallthrough
		case err == io.EOF || err == sse.ErrUnfinished:
			if out, failure = call.Reader.End(out[:0]); failure == nil {
				return s.finish(out)
			}
		default:
			failure = err
		}
		return s.fail(ctx, p, failure)
	}
}

// streamOut writes a relayed stream to the client.
type streamOut struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	ew      state.EventWriter
	st      *state.Request
	resp    *http.Response
	written bool
}

// send writes out (and flushes unless more is buffered), the status first
// when nothing was sent yet. A chunk the adapter passed on unchanged goes
// with its reading to an event writer.
func (s *streamOut) send(out []byte, cr providers.ChunkReader, more bool) error {
	s.commit()
	var err error
	if c := chunkOf(cr); s.ew != nil && c != nil {
		err = s.ew.WriteEvent(out, c)
	} else {
		_, err = s.w.Write(out)
	}
	if err == nil && !more {
		err = s.rc.Flush()
	}
	return err
}

func (s *streamOut) commit() {
	if !s.written {
		s.written = true
		s.w.WriteHeader(s.resp.StatusCode)
		s.st.FirstByte = time.Now()
	}
}

// finish sends the closing events of a stream that ended well; an empty
// stream still answers.
func (s *streamOut) finish(out []byte) outcome {
	s.commit()
	if len(out) > 0 {
		if _, err := s.w.Write(out); err != nil {
			return outcome{written: true, err: err}
		}
	}
	return outcome{written: true, err: s.rc.Flush()}
}

// fail ends a stream that failed: before anything was sent, as an error the
// router may retry; after, with an OpenAI error event, which the SDKs raise
// (a writer in front, the guardrail, releases what it holds first).
func (s *streamOut) fail(ctx context.Context, p *catalog.Provider, failure error) outcome {
	var e *apierr.Error
	if !errors.As(failure, &e) {
		e = streamCut(p, failure)
	}
	if !s.written {
		return outcome{err: e}
	}
	if !clientGone(ctx) {
		s.w.Write(append(append([]byte("data: "), e.Body()...), '\n', '\n')) //nolint:errcheck // the stream is over either way
		s.rc.Flush()                                                         //nolint:errcheck
	}
	return outcome{written: true, err: e}
}

func chunkOf(cr providers.ChunkReader) *oai.Chunk {
	if cr == nil {
		return nil
	}
	return cr.Chunk()
}
