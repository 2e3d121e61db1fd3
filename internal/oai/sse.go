package oai

import (
	"encoding/json"
	"io"
)

// SSEDone is the event that ends an OpenAI stream.
var SSEDone = []byte("data: [DONE]\n\n")

// WriteSSE writes v as one server-sent event, "data: <json>\n\n".
func WriteSSE(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf := make([]byte, 0, len(b)+8)
	buf = append(buf, "data: "...)
	buf = append(buf, b...)
	buf = append(buf, "\n\n"...)
	_, err = w.Write(buf)
	return err
}
