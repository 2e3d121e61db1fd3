package fakeprovider

import (
	"encoding/json"
	"net/http"
)

// preamble plays the faults that come before an answer: hang, delay, flaky
// failures, error statuses. It reports whether to go on and answer; errors are
// written by writeErr in the API's own format.
func (s *Server) preamble(w http.ResponseWriter, r *http.Request, f fault, model string, writeErr func(http.ResponseWriter, int, fault)) bool {
	if f.hang {
		<-r.Context().Done()
		s.cancelled.Add(1)
		return false
	}
	if !s.wait(r, f.delay) {
		return false
	}
	switch {
	case f.flaky > 0 && s.flaky(model, f.flaky):
		writeErr(w, http.StatusInternalServerError, f)
	case f.limited > 0 && s.flaky(model, f.limited):
		w.Header().Set("Retry-After-Ms", "50")
		writeErr(w, http.StatusTooManyRequests, f)
	case f.overloaded:
		writeErr(w, http.StatusServiceUnavailable, f)
	case f.context:
		writeErr(w, http.StatusBadRequest, f)
	case f.status != 0:
		writeErr(w, f.status, f)
	default:
		return true
	}
	return false
}

// sse writes events as server-sent events, named when they have a name,
// flushing each; fake-cut drops the connection halfway, fake-slowstream
// waits between events.
func (s *Server) sse(w http.ResponseWriter, r *http.Request, events []sseEvent, f fault) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	for i, ev := range events {
		if f.cut && i == len(events)/2 {
			panic(http.ErrAbortHandler) // drops the connection mid-stream, as a crashed upstream would
		}
		if i > 0 && !s.wait(r, f.chunkDelay) {
			return
		}
		data, err := json.Marshal(ev.data)
		if err != nil {
			return
		}
		buf := make([]byte, 0, len(data)+32)
		if ev.name != "" {
			buf = append(append(append(buf, "event: "...), ev.name...), '\n')
		}
		buf = append(append(append(buf, "data: "...), data...), "\n\n"...)
		if _, err := w.Write(buf); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}
