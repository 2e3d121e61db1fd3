package route

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
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
	id := ""
	for _, name := range [...]string{"X-Request-Id", "Request-Id", "Apim-Request-Id"} {
		if id = resp.Header.Get(name); id != "" {
			break
		}
	}
	ct := resp.Header.Get("Content-Type")
	if id == "" {
		state.SetHeaders(w.Header(), "Content-Type", ct)
		return
	}
	state.SetHeaders(w.Header(), "Content-Type", ct, "X-Request-Id", id)
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
	state.SetHeaders(w.Header(), "Cache-Control", "no-cache", "X-Accel-Buffering", "no")
	return relayStream(w, resp, hideUsage, st)
}

// relayBufSize is the read buffer of a relayed stream: bigger than any
// ordinary event, so that events go out whole.
const relayBufSize = 32 << 10

var relayBufs = sync.Pool{New: func() any { b := make([]byte, relayBufSize); return &b }}

// relayStream passes an event stream on as it arrives, flushed after every
// read, in whole events: the handlers in front of the route (guardrail,
// meter) see each event in one write, and a failure never leaves half an
// event with the client. It records the usage the provider reported and, with
// hideUsage, leaves out the usage-only chunk. It reports whether anything
// reached the client.
func relayStream(w http.ResponseWriter, resp *http.Response, hideUsage bool, st *state.Request) (bool, error) {
	rc := http.NewResponseController(w)
	bp := relayBufs.Get().(*[]byte)
	defer relayBufs.Put(bp)
	buf := *bp
	var watch sseUsage
	held, written := 0, false
	for {
		n, err := resp.Body.Read(buf[held:])
		held += n
		end := held        // at the end of the stream, whatever is left
		if err != io.EOF { // only whole events; on a failure, the rest is lost
			end = eventsEnd(buf[:held])
			if err == nil && end == 0 && held == len(buf) { // an event larger than the buffer
				if len(buf) >= providers.MaxEventSize {
					st.Usage = watch.usage
					return written, providers.ErrEventTooLarge
				}
				buf = append(buf, make([]byte, len(buf))...) // the pool keeps the small one
			}
		}
		if end > 0 || (err == io.EOF && !written) {
			out := watch.events(buf[:end], hideUsage)
			if len(out) > 0 || !written { // an empty stream still answers
				if ferr := flushOut(w, rc, resp, st, out, &written); ferr != nil {
					st.Usage = watch.usage
					return true, ferr
				}
			}
			held = copy(buf, buf[end:held])
		}
		if err != nil {
			st.Usage = watch.usage
			if err == io.EOF {
				return true, nil
			}
			return written, err
		}
	}
}

// eventsEnd returns the length of the whole events at the start of b: up to
// its last blank line ("\n\n", or "\n\r\n" after a CRLF line); 0 if none.
func eventsEnd(b []byte) int {
	if len(b) >= 2 && b[len(b)-1] == '\n' && b[len(b)-2] == '\n' {
		return len(b) // the common case: a read ends with an event
	}
	end := 0
	if i := bytes.LastIndex(b, []byte("\n\n")); i >= 0 {
		end = i + 2
	}
	if i := bytes.LastIndex(b, []byte("\n\r\n")); i >= 0 && i+3 > end {
		end = i + 3
	}
	return end
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

// relayWhole reads a non-streamed answer (up to maxBufferedAnswer), takes its
// usage, and sends it with its length. It reports whether anything was sent:
// an answer cut while it was read was not, and can be retried.
func relayWhole(w http.ResponseWriter, resp *http.Response, st *state.Request) (bool, error) {
	body, err := readAnswer(resp)
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
