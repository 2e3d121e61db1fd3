package route

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/providers/anthropic"
	"github.com/aigw/aigw/internal/providers/gemini"
)

// streamTranslator is what the Anthropic and Gemini stream translators share.
type streamTranslator interface {
	Event(dst, data []byte) ([]byte, error)
	Started() bool
	Usage() (oai.Usage, bool)
}

// geminiStream adds Gemini's end of stream (no end event) to its translator.
type geminiStream struct{ *gemini.Stream }

// translatedChat calls an Anthropic or Gemini deployment with the request
// translated, and translates the answer back, streamed or not.
func (h *Handler) translatedChat(ctx context.Context, w http.ResponseWriter, st *state.Request,
	m *catalog.Model, p *catalog.Provider, req *providers.Request, started func()) outcome {
	u := h.upstreams[p.Name]
	var body []byte
	var url string
	var jsonMode bool
	var e *apierr.Error
	if p.Type == catalog.TypeAnthropic {
		body, jsonMode, e = anthropic.BuildRequest(req, anthropic.Options{Model: m.Upstream, MaxOutputTokens: m.MaxOutputTokens, DropParams: m.DropParams})
		url = u.base + "/messages"
	} else {
		body, e = gemini.BuildRequest(req, gemini.Options{DropParams: m.DropParams})
		url = u.base + gemini.Path(m.Upstream, req.Stream)
	}
	if e != nil {
		return outcome{e: e}
	}
	resp, sent, failed := u.call(ctx, url, body, st, started)
	if failed != nil {
		return *failed
	}
	defer resp.Body.Close()
	created := time.Now().Unix()
	id := "chatcmpl-" + strings.TrimPrefix(st.ID, "req_")
	if !req.Stream {
		return h.translatedWhole(ctx, w, st, m, p, resp, sent, func(raw []byte) ([]byte, oai.Usage, error) {
			if p.Type == catalog.TypeAnthropic {
				return anthropic.TranslateResponse(raw, m.Upstream, created, jsonMode)
			}
			return gemini.TranslateResponse(raw, id, m.Upstream, created)
		})
	}
	var tr streamTranslator
	if p.Type == catalog.TypeAnthropic {
		s := anthropic.NewStream(m.Upstream, created, req.IncludeUsage(), jsonMode)
		s.Provider, s.Key = p.Name, p.APIKey
		tr = s
	} else {
		s := gemini.NewStream(id, m.Upstream, created, req.IncludeUsage())
		s.Provider, s.Key = p.Name, p.APIKey
		tr = geminiStream{s}
	}
	return h.translatedStream(ctx, w, st, p, resp, tr, sent)
}

func (h *Handler) translatedWhole(ctx context.Context, w http.ResponseWriter, st *state.Request, m *catalog.Model, p *catalog.Provider,
	resp *http.Response, sent time.Time, translate func([]byte) ([]byte, oai.Usage, error)) outcome {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBufferedAnswer))
	if err != nil {
		return h.ended(ctx, w, st, p, false, err, sent)
	}
	out, u, err := translate(raw)
	if err != nil {
		return outcome{e: apierr.Newf(http.StatusBadGateway, providers.CodeUpstream, "The provider %q sent an answer the gateway could not read.", p.Name), err: err}
	}
	st.Usage = usageState(u, true)
	copyRequestID(w, resp)
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	st.FirstByte = time.Now()
	_, err = w.Write(out)
	return outcome{written: true, err: err, ttft: st.FirstByte.Sub(sent)}
}

// translatedStream reads the provider's events, translates each and flushes
// what it makes. Nothing is sent before the first translated content, so a
// stream that fails before it can still be retried elsewhere; after it, a
// failure ends the stream with an OpenAI error event.
func (h *Handler) translatedStream(ctx context.Context, w http.ResponseWriter, st *state.Request, p *catalog.Provider,
	resp *http.Response, tr streamTranslator, sent time.Time) outcome {
	sse := providers.NewSSEReader(resp.Body)
	rc := http.NewResponseController(w)
	out := make([]byte, 0, 2048)
	written := false
	var failure error
	for {
		_, data, err := sse.Next()
		if err == io.EOF {
			if g, ok := tr.(geminiStream); ok {
				var ended bool
				if out, ended = g.End(out); !ended {
					failure = io.ErrUnexpectedEOF
				}
			} else if s, ok := tr.(*anthropic.Stream); ok && !s.Done() {
				failure = io.ErrUnexpectedEOF
			}
		} else if err != nil {
			failure = err
		} else if out, err = tr.Event(out, data); err != nil {
			failure = err
		}
		if len(out) > 0 && (failure != nil || err != nil || !sse.Ready()) {
			if !written {
				written = true
				commitStream(w, resp)
				st.FirstByte = time.Now()
			}
			if _, werr := w.Write(out); werr != nil {
				return h.streamEnded(ctx, st, tr, p, true, werr, sent)
			}
			if werr := rc.Flush(); werr != nil {
				return h.streamEnded(ctx, st, tr, p, true, werr, sent)
			}
			out = out[:0]
		}
		if failure != nil || err == io.EOF {
			break
		}
	}
	if failure != nil && written && !errors.Is(context.Cause(ctx), errClientGone) {
		writeStreamError(w, rc, p, failure)
	}
	return h.streamEnded(ctx, st, tr, p, written, failure, sent)
}

func (h *Handler) streamEnded(ctx context.Context, st *state.Request, tr streamTranslator, p *catalog.Provider, written bool, err error, sent time.Time) outcome {
	u, final := tr.Usage()
	st.Usage = usageState(u, final)
	var ae *apierr.Error
	if !written && errors.As(err, &ae) { // an error event before any content
		return outcome{e: ae, err: err}
	}
	o := outcome{written: written, err: err}
	if !st.FirstByte.IsZero() {
		o.ttft = st.FirstByte.Sub(sent)
	}
	if err != nil && errors.Is(context.Cause(ctx), errClientGone) {
		o.err = errClientGone
	} else if err != nil && !written {
		o.e = apierr.Newf(http.StatusBadGateway, providers.CodeStreamCut, "The provider %q broke off its answer.", p.Name)
	}
	return o
}

func commitStream(w http.ResponseWriter, resp *http.Response) {
	copyRequestID(w, resp)
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
}

// writeStreamError ends a stream that failed after its first byte with an
// OpenAI error event, which the SDKs raise as an error.
func writeStreamError(w http.ResponseWriter, rc *http.ResponseController, p *catalog.Provider, cause error) {
	var e *apierr.Error
	if !errors.As(cause, &e) {
		e = apierr.Newf(http.StatusBadGateway, providers.CodeStreamCut, "The provider %q broke off its answer.", p.Name)
	}
	buf := append([]byte("data: "), e.Body()...)
	w.Write(append(buf, "\n\n"...)) //nolint:errcheck // the stream is over either way
	rc.Flush()                      //nolint:errcheck
}

func copyRequestID(w http.ResponseWriter, resp *http.Response) {
	for _, name := range []string{"Request-Id", "X-Request-Id", "X-Goog-Request-Id"} {
		if id := resp.Header.Get(name); id != "" {
			w.Header().Set("X-Request-Id", id)
			return
		}
	}
}

func usageState(u oai.Usage, reported bool) state.Usage {
	s := state.Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, Reported: reported}
	if u.PromptTokensDetails != nil {
		s.CachedTokens = u.PromptTokensDetails.CachedTokens
	}
	return s
}

// geminiEmbeddings calls embedContent or batchEmbedContents and translates the
// answer. Gemini reports no token counts: the usage is the gateway's estimate,
// not marked reported.
func (h *Handler) geminiEmbeddings(ctx context.Context, w http.ResponseWriter, st *state.Request, m *catalog.Model,
	p *catalog.Provider, req *oai.EmbeddingRequest, started func()) outcome {
	body, path, e := gemini.BuildEmbedRequest(req, m.Upstream)
	if e != nil {
		return outcome{e: e}
	}
	u := h.upstreams[p.Name]
	resp, sent, failed := u.call(ctx, u.base+path, body, st, started)
	if failed != nil {
		return *failed
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBufferedAnswer))
	if err != nil {
		return h.ended(ctx, w, st, p, false, err, sent)
	}
	out, usage, err := gemini.TranslateEmbedResponse(raw, req, m.ID)
	if err != nil {
		return outcome{e: apierr.Newf(http.StatusBadGateway, providers.CodeUpstream, "The provider %q sent an answer the gateway could not read.", p.Name), err: err}
	}
	st.Usage = state.Usage{PromptTokens: usage.PromptTokens}
	copyRequestID(w, resp)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	st.FirstByte = time.Now()
	_, err = w.Write(out)
	return outcome{written: true, err: err, ttft: st.FirstByte.Sub(sent)}
}
