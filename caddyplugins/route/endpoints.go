package route

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
)

// route finds the route a request names, or answers 404.
func (h *Handler) route(w http.ResponseWriter, r *http.Request, st *state.Request, name string) *catalog.Route {
	rt, err := h.catalog.Route(name)
	if err != nil {
		state.WriteError(w, r, apierr.Newf(http.StatusNotFound, "model_not_found",
			"The model `%s` does not exist or you do not have access to it.", name).WithParam("model"))
		return nil
	}
	st.RequestedModel = name
	return rt
}

func (h *Handler) chat(w http.ResponseWriter, r *http.Request, st *state.Request) error {
	req, e := st.Chat(r, h.bodyLimit)
	if e != nil {
		state.WriteError(w, r, e)
		return nil
	}
	st.Stream = req.Stream
	rt := h.route(w, r, st, req.Model)
	if rt == nil {
		return nil
	}
	c := &chatCall{h: h, w: w, r: r, st: st, req: req}
	return h.run(w, r, st, rt, catalog.CapChat, c.call)
}

// chatCall is one chat request's calls: the body and its full decoding are
// read once and shared by every attempt.
type chatCall struct {
	h    *Handler
	w    http.ResponseWriter
	r    *http.Request
	st   *state.Request
	req  *oai.ChatRequest
	full *providers.Request
}

func (c *chatCall) call(ctx context.Context, m *catalog.Model, p *catalog.Provider, started func()) outcome {
	switch p.Type {
	case catalog.TypeMock:
		started()
		err := mockChat(ctx, c.w, p, c.req, m.ID, c.st)
		return outcome{written: true, err: err}
	case catalog.TypeAnthropic, catalog.TypeGemini:
		if c.full == nil {
			body, _ := c.st.Body(c.r, c.h.bodyLimit)
			full, err := providers.ParseRequest(body)
			if err != nil {
				return outcome{e: apierr.New(http.StatusBadRequest, "invalid_json", "We could not parse the JSON body of your request.")}
			}
			c.full = full
		}
		return c.h.translatedChat(ctx, c.w, c.st, m, p, c.full, started)
	}
	return c.h.openAIChat(ctx, c.w, c.r, c.st, m, p, c.req, started)
}

// openAIChat calls an OpenAI-family provider (OpenAI, Azure OpenAI, local
// OpenAI-compatible servers) with the client's body, the model renamed and,
// for a stream whose client did not ask for usage, usage asked for and hidden.
func (h *Handler) openAIChat(ctx context.Context, w http.ResponseWriter, r *http.Request, st *state.Request,
	m *catalog.Model, p *catalog.Provider, req *oai.ChatRequest, started func()) outcome {
	body, _ := st.Body(r, h.bodyLimit)
	hideUsage := req.Stream && (req.StreamOptions == nil || !req.StreamOptions.IncludeUsage)
	return h.forwardOpenAI(ctx, w, st, m, p, body, "/chat/completions", req.Stream, hideUsage, started)
}

// forwardOpenAI sends body to an OpenAI-family provider's path, with the
// model renamed to the provider's name for it and, with hideUsage, usage asked
// for in the stream and kept from the client, and relays the answer.
func (h *Handler) forwardOpenAI(ctx context.Context, w http.ResponseWriter, st *state.Request, m *catalog.Model,
	p *catalog.Provider, body []byte, path string, stream, hideUsage bool, started func()) outcome {
	if m.Upstream != st.RequestedModel || hideUsage {
		rename := m.Upstream
		if rename == st.RequestedModel {
			rename = "" // keep the model; only ask for usage
		}
		var err error
		if body, err = rewriteBody(body, rename, hideUsage); err != nil {
			return outcome{e: apierr.New(http.StatusBadRequest, "invalid_json", "We could not parse the JSON body of your request."), err: err}
		}
	}
	u := h.upstreams[p.Name]
	resp, sent, failed := u.call(ctx, u.endpointURL(m, path), body, st, started)
	if failed != nil {
		return *failed
	}
	defer resp.Body.Close()
	written, err := relayAnswer(w, resp, stream, hideUsage, st)
	o := h.ended(ctx, w, st, p, written, err, sent)
	if stream && written && o.err != nil && !errors.Is(o.err, errClientGone) {
		// End a possibly partial event first, then say what happened.
		w.Write([]byte("\n\n")) //nolint:errcheck // the stream is over either way
		writeStreamError(w, http.NewResponseController(w), p, nil)
	}
	return o
}

// ended classifies how relaying an accepted answer ended.
func (h *Handler) ended(ctx context.Context, w http.ResponseWriter, st *state.Request, p *catalog.Provider, written bool, err error, sent time.Time) outcome {
	o := outcome{written: written, err: err}
	if !st.FirstByte.IsZero() {
		o.ttft = st.FirstByte.Sub(sent)
	}
	if err != nil && errors.Is(context.Cause(ctx), errClientGone) {
		o.err = errClientGone
		return o
	}
	if err != nil && !written {
		o.e = apierr.Newf(http.StatusBadGateway, providers.CodeStreamCut, "The provider %q broke off its answer.", p.Name)
	}
	return o
}

func (h *Handler) embeddings(w http.ResponseWriter, r *http.Request, st *state.Request) error {
	req, e := st.Embedding(r, h.bodyLimit)
	if e != nil {
		state.WriteError(w, r, e)
		return nil
	}
	rt := h.route(w, r, st, req.Model)
	if rt == nil {
		return nil
	}
	return h.run(w, r, st, rt, catalog.CapEmbeddings, func(ctx context.Context, m *catalog.Model, p *catalog.Provider, started func()) outcome {
		switch p.Type {
		case catalog.TypeMock:
			started()
			return outcome{written: true, err: mockEmbeddings(ctx, w, p, req, m, st)}
		case catalog.TypeGemini:
			return h.geminiEmbeddings(ctx, w, st, m, p, req, started)
		case catalog.TypeAnthropic:
			return outcome{e: apierr.Newf(http.StatusBadRequest, "unsupported_model", "The model `%s` does not support embeddings.", m.ID).WithParam("model")}
		}
		body, _ := st.Body(r, h.bodyLimit)
		return h.forwardOpenAI(ctx, w, st, m, p, body, "/embeddings", false, false, started)
	})
}

// callContext bounds the provider call by the provider's timeout and ends it
// when the client goes away, with errClientGone as the cause. (Derived from
// the request's context directly, it would end with the request's cause,
// context.Canceled, before the AfterFunc could name it.)
func (h *Handler) callContext(r *http.Request, p *catalog.Provider) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(r.Context()))
	stop := context.AfterFunc(r.Context(), func() { cancel(errClientGone) })
	if p.Timeout > 0 {
		tctx, tcancel := context.WithTimeout(ctx, p.Timeout)
		return tctx, func(err error) { stop(); tcancel(); cancel(err) }
	}
	return ctx, func(err error) { stop(); cancel(err) }
}
