package route

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/providers"
)

// endpointURL is where an OpenAI-family provider serves path ("/chat/completions",
// "/embeddings"): under the API root, or for Azure under the deployment
// named by the model's upstream name, with the api-version.
func (u *upstream) endpointURL(m *catalog.Model, path string) string {
	if u.provider.Type == catalog.TypeAzure {
		return u.base + "/openai/deployments/" + url.PathEscape(m.Upstream) + path + "?api-version=" + url.QueryEscape(u.provider.APIVersion)
	}
	return u.base + path
}

// rewriteBody sets the upstream model name and, when addUsage, asks for
// usage in the stream (stream_options.include_usage), keeping every other
// field byte for byte.
func rewriteBody(body []byte, model string, addUsage bool) ([]byte, error) {
	if model == "" && addUsage {
		if out, ok := insertIncludeUsage(body); ok {
			return out, nil
		}
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if model != "" {
		name, err := json.Marshal(model)
		if err != nil {
			return nil, err
		}
		obj["model"] = name
	}
	if addUsage {
		var so map[string]json.RawMessage
		if raw, ok := obj["stream_options"]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, &so); err != nil {
				return nil, err
			}
		}
		if so == nil {
			so = map[string]json.RawMessage{}
		}
		so["include_usage"] = json.RawMessage("true")
		raw, err := json.Marshal(so)
		if err != nil {
			return nil, err
		}
		obj["stream_options"] = raw
	}
	return json.Marshal(obj)
}

var streamOptionsKey = []byte(`"stream_options"`)

// insertIncludeUsage adds stream_options to a body that has none, without
// decoding it: the common case of a stream whose client did not ask for usage.
func insertIncludeUsage(body []byte) ([]byte, bool) {
	i := bytes.IndexByte(body, '{')
	if i < 0 || len(bytes.TrimSpace(body[:i])) > 0 || bytes.Contains(body, streamOptionsKey) {
		return nil, false
	}
	const field = `"stream_options":{"include_usage":true},`
	rest := bytes.TrimSpace(body[i+1:])
	if len(rest) == 0 || rest[0] == '}' {
		return nil, false
	}
	out := make([]byte, 0, len(body)+len(field))
	out = append(out, body[:i+1]...)
	out = append(out, field...)
	return append(out, body[i+1:]...), true
}

// copyAnswerHeaders passes on the answer's type and the provider's request id.
func copyAnswerHeaders(w http.ResponseWriter, resp *http.Response) {
	h := w.Header()
	h.Set("Content-Type", resp.Header.Get("Content-Type"))
	for _, name := range []string{"X-Request-Id", "Request-Id", "Apim-Request-Id"} {
		if id := resp.Header.Get(name); id != "" {
			h.Set("X-Request-Id", id)
			return
		}
	}
}

// relay copies a provider's OpenAI-format answer to the client and records in
// st when the first byte went out and the usage the provider reported.
func relay(w http.ResponseWriter, resp *http.Response, stream bool, st *state.Request) error {
	_, err := relayAnswer(w, resp, stream, false, st)
	return err
}

// relayAnswer is relay that reports whether anything reached the client, so
// that a failure before the first byte can be retried. With hideUsage, the
// usage-only chunk the gateway asked for is read and not passed on.
func relayAnswer(w http.ResponseWriter, resp *http.Response, stream, hideUsage bool, st *state.Request) (bool, error) {
	copyAnswerHeaders(w, resp)
	if !stream {
		return relayWhole(w, resp, st)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	if hideUsage {
		return relayFiltered(w, resp, st)
	}
	rc := http.NewResponseController(w)
	var watch sseUsage
	buf := make([]byte, 32<<10)
	written := false
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if !written {
				written = true
				w.WriteHeader(resp.StatusCode)
				st.FirstByte = time.Now()
			}
			watch.observe(buf[:n])
			if _, werr := w.Write(buf[:n]); werr != nil {
				return true, werr
			}
			if ferr := rc.Flush(); ferr != nil {
				return true, ferr
			}
		}
		if err != nil {
			st.Usage = watch.usage
			if err == io.EOF {
				if !written { // an empty stream still answers
					w.WriteHeader(resp.StatusCode)
				}
				return true, nil
			}
			return written, err
		}
	}
}

// relayFiltered passes a stream on event by event, leaving out the chunk
// that only carries usage (the client did not ask for it).
func relayFiltered(w http.ResponseWriter, resp *http.Response, st *state.Request) (bool, error) {
	rc := http.NewResponseController(w)
	sse := providers.NewSSEReader(resp.Body)
	var watch sseUsage
	out := make([]byte, 0, 4096)
	written := false
	for {
		_, data, err := sse.Next()
		if err != nil {
			st.Usage = watch.usage
			if err == io.EOF {
				if len(out) > 0 || !written {
					return true, flushOut(w, rc, resp, st, out, &written)
				}
				return true, nil
			}
			if len(out) > 0 {
				flushOut(w, rc, resp, st, out, &written) //nolint:errcheck // the read error is what matters
			}
			return written, err
		}
		if bytes.Contains(data, usageKey) {
			watch.line(append([]byte("data:"), data...))
			if bytes.Contains(data, []byte(`"choices":[]`)) {
				continue
			}
		}
		out = append(append(append(out, "data: "...), data...), "\n\n"...)
		if !sse.Ready() { // write before waiting for more
			if err := flushOut(w, rc, resp, st, out, &written); err != nil {
				return true, err
			}
			out = out[:0]
		}
	}
}

// flushOut sends out (the status first, when nothing was sent yet) and
// flushes it to the client.
func flushOut(w http.ResponseWriter, rc *http.ResponseController, resp *http.Response, st *state.Request, out []byte, written *bool) error {
	if !*written {
		*written = true
		w.WriteHeader(resp.StatusCode)
		st.FirstByte = time.Now()
	}
	if len(out) == 0 {
		return nil
	}
	if _, err := w.Write(out); err != nil {
		return err
	}
	return rc.Flush()
}

// relayWhole reads a non-streamed answer (up to maxBufferedAnswer), takes its
// usage, and sends it with its length. It reports whether anything was sent:
// an answer cut while it was read was not, and can be retried.
func relayWhole(w http.ResponseWriter, resp *http.Response, st *state.Request) (bool, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBufferedAnswer+1))
	if err != nil {
		return false, err
	}
	if len(body) > maxBufferedAnswer {
		w.WriteHeader(resp.StatusCode)
		st.FirstByte = time.Now()
		if _, err := w.Write(body); err != nil {
			return true, err
		}
		_, err = io.Copy(w, resp.Body)
		return true, err
	}
	st.Usage, _ = usageFromBody(body)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	st.FirstByte = time.Now()
	_, err = w.Write(body)
	return true, err
}
