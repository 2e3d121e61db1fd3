package guardrail

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/oai"
)

// verdict is what screening a request's or answer's texts found, merged over
// every text.
type verdict struct {
	action    guard.Action // strongest action: block > redact > flag > allow
	shadow    guard.Action // strongest action a shadow policy would have taken
	detectors []string     // ids that triggered block, redact or flag
	counts    map[string]int
	// features are the learned detectors' top n-grams, by detector id (the
	// first learned finding of each), for the audit trail.
	features map[string][]string
	scores   map[string]float64 // and their scores
}

func (v *verdict) add(res guard.Result) {
	if res.Action.Stronger(v.action) || v.action == "" {
		v.action = res.Action
	}
	if res.ShadowAction != "" && (v.shadow == "" || res.ShadowAction.Stronger(v.shadow)) {
		v.shadow = res.ShadowAction
	}
	for _, f := range res.Findings {
		if v.counts == nil {
			v.counts = map[string]int{}
		}
		if v.counts[f.Type] == 0 {
			v.detectors = append(v.detectors, f.Type)
		}
		v.counts[f.Type]++
		if len(f.Features) > 0 && v.features[f.Type] == nil {
			if v.features == nil {
				v.features = map[string][]string{}
			}
			v.features[f.Type] = f.Features
			if v.scores == nil {
				v.scores = map[string]float64{}
			}
			v.scores[f.Type] = f.Score
		}
	}
}

// screenChat applies p to every message of a chat request (tool results
// included). It returns the verdict, the request body with the redacted texts
// when something was redacted (other fields kept byte for byte), and the
// screened texts as the provider will see them.
func screenChat(e *guard.Engine, p *guard.Policy, body []byte, req *oai.ChatRequest) (verdict, []byte, []string, error) {
	var v verdict
	var redacted map[int]string // made on the first redaction: most requests have none
	texts := make([]string, 0, len(req.Messages))
	for i := range req.Messages {
		text, err := req.Messages[i].Text()
		if err != nil || text == "" {
			continue
		}
		res := e.Apply(text, p, guard.Input)
		v.add(res)
		texts = append(texts, res.Text)
		if res.Action == guard.ActionRedact && res.Text != text {
			if redacted == nil {
				redacted = map[int]string{}
			}
			redacted[i] = res.Text
		}
	}
	if v.action == guard.ActionBlock || len(redacted) == 0 {
		return v, nil, texts, nil
	}
	out, err := rewriteMessages(body, req, redacted)
	return v, out, texts, err
}

// screenEmbedding applies p to every text input of an embeddings request.
func screenEmbedding(e *guard.Engine, p *guard.Policy, body []byte, req *oai.EmbeddingRequest) (verdict, []byte, []string, error) {
	var v verdict
	inputs, err := req.Inputs()
	if err != nil {
		return v, nil, nil, err
	}
	changed := false
	texts := make([]string, len(inputs))
	for i, in := range inputs {
		texts[i] = in.Text
		if in.Text == "" {
			continue
		}
		res := e.Apply(in.Text, p, guard.Input)
		v.add(res)
		if res.Action == guard.ActionRedact && res.Text != in.Text {
			texts[i], changed = res.Text, true
		}
	}
	if v.action == guard.ActionBlock || !changed {
		return v, nil, texts, nil
	}
	var obj map[string]json.RawMessage
	if err := unmarshalNumbers(body, &obj); err != nil {
		return v, nil, nil, err
	}
	var input any = texts
	if len(texts) == 1 && len(req.Input) > 0 && req.Input[0] == '"' {
		input = texts[0]
	}
	if obj["input"], err = json.Marshal(input); err != nil {
		return v, nil, nil, err
	}
	out, err := json.Marshal(obj)
	return v, out, texts, err
}

// rewriteMessages replaces the text of the messages in redacted (by index). A
// string content becomes the redacted string; an array content keeps its
// non-text parts and gets the redacted text as its only text part.
func rewriteMessages(body []byte, req *oai.ChatRequest, redacted map[int]string) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := unmarshalNumbers(body, &obj); err != nil {
		return nil, err
	}
	var msgs []map[string]json.RawMessage
	if err := unmarshalNumbers(obj["messages"], &msgs); err != nil {
		return nil, err
	}
	if len(msgs) != len(req.Messages) {
		return nil, fmt.Errorf("messages changed between parses")
	}
	for i, text := range redacted {
		content, err := redactContent(msgs[i]["content"], text)
		if err != nil {
			return nil, fmt.Errorf("messages[%d]: %w", i, err)
		}
		msgs[i]["content"] = content
	}
	var err error
	if obj["messages"], err = json.Marshal(msgs); err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}

func redactContent(raw json.RawMessage, text string) (json.RawMessage, error) {
	if len(raw) > 0 && raw[0] == '[' {
		var parts []map[string]json.RawMessage
		if err := unmarshalNumbers(raw, &parts); err != nil {
			return nil, err
		}
		out := make([]map[string]json.RawMessage, 0, len(parts))
		placed := false
		for _, part := range parts {
			if string(part["type"]) == `"text"` {
				if placed {
					continue
				}
				t, _ := json.Marshal(text)
				part["text"], placed = t, true
			}
			out = append(out, part)
		}
		return json.Marshal(out)
	}
	return json.Marshal(text)
}

// unmarshalNumbers decodes keeping numbers as written, so re-encoding a body
// does not change a seed or a temperature.
func unmarshalNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
