package auth

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/store"
)

// serveRestricted serves a key limited to some models: a model request for
// another model gets 403, and the model list shows only the models it may use.
func (h *Handler) serveRestricted(w http.ResponseWriter, r *http.Request, st *state.Request, next caddyhttp.Handler) error {
	path := strings.TrimPrefix(r.URL.Path, "/api")
	var model string
	switch {
	case r.Method == http.MethodPost && path == "/v1/chat/completions":
		req, e := st.Chat(r, h.bodyLimit)
		if e != nil {
			state.WriteError(w, r, e)
			return nil
		}
		model = req.Model
	case r.Method == http.MethodPost && path == "/v1/embeddings":
		req, e := st.Embedding(r, h.bodyLimit)
		if e != nil {
			state.WriteError(w, r, e)
			return nil
		}
		model = req.Model
	case r.Method == http.MethodGet && path == "/v1/models":
		return h.serveModelList(w, r, st.Key, next)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/v1/models/"):
		id := strings.TrimPrefix(path, "/v1/models/")
		if !h.allows(st.Key, id) {
			state.WriteError(w, r, apierr.Newf(http.StatusNotFound, "model_not_found",
				"The model `%s` does not exist or you do not have access to it.", id).WithParam("model"))
			return nil
		}
		return next.ServeHTTP(w, r)
	default:
		return next.ServeHTTP(w, r)
	}
	if !h.allows(st.Key, model) {
		state.WriteError(w, r, apierr.Newf(http.StatusForbidden, "model_not_allowed",
			"This API key may not use the model `%s`.", model).WithParam("model"))
		return nil
	}
	return next.ServeHTTP(w, r)
}

// allows reports whether rec may use the model name, matching its globs
// against the name sent and, for an alias, the model it resolves to.
func (h *Handler) allows(rec *store.KeyRecord, name string) bool {
	if rec.AllowsModel(name) {
		return true
	}
	if h.catalog != nil {
		if m, err := h.catalog.Resolve(name); err == nil {
			return rec.AllowsModel(m.ID)
		}
	}
	return false
}

// serveModelList lets the next handler write the model list into a buffer
// and passes on only the models rec may use.
func (h *Handler) serveModelList(w http.ResponseWriter, r *http.Request, rec *store.KeyRecord, next caddyhttp.Handler) error {
	buf := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
	err := next.ServeHTTP(buf, r)
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	body := buf.body.Bytes()
	var list oai.ModelList
	if buf.status == http.StatusOK && json.Unmarshal(body, &list) == nil && list.Object == "list" {
		kept := list.Data[:0]
		for _, m := range list.Data {
			if h.allows(rec, m.ID) {
				kept = append(kept, m)
			}
		}
		list.Data = kept
		if filtered, mErr := json.Marshal(list); mErr == nil {
			body = filtered
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(buf.status)
	w.Write(body) //nolint:errcheck // the client is gone; nothing to do
	return err
}

// bufferedWriter collects a small answer (the model list) in memory.
type bufferedWriter struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	if !b.wroteHeader {
		b.status, b.wroteHeader = status, true
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.wroteHeader = true
	return b.body.Write(p)
}

// ReadFrom keeps io.Copy from walking around the buffer.
func (b *bufferedWriter) ReadFrom(r io.Reader) (int64, error) {
	b.wroteHeader = true
	return b.body.ReadFrom(r)
}

// Flush is a no-op: the whole answer is written at the end.
func (b *bufferedWriter) Flush() {}

// Interface guards.
var (
	_ http.ResponseWriter = (*bufferedWriter)(nil)
	_ io.ReaderFrom       = (*bufferedWriter)(nil)
	_ http.Flusher        = (*bufferedWriter)(nil)
)
