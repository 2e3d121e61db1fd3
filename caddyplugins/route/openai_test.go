package route

import (
	"encoding/json"
	"testing"
)

func TestRewriteBodyAsksForUsage(t *testing.T) {
	tests := []struct {
		name, in, model string
		want            map[string]string
	}{
		{"fast path", `{"model":"a","stream":true,"messages":[]}`, "", map[string]string{"model": `"a"`, "stream_options": `{"include_usage":true}`}},
		{"leading space", " \n{\"model\":\"a\"}", "", map[string]string{"stream_options": `{"include_usage":true}`}},
		{"existing options kept", `{"model":"a","stream_options":{"include_usage":false,"x":1}}`, "", map[string]string{"stream_options": `{"include_usage":true,"x":1}`}},
		{"renamed too", `{"model":"a","stream":true}`, "b", map[string]string{"model": `"b"`, "stream_options": `{"include_usage":true}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := rewriteBody([]byte(tt.in), tt.model, true)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%s: %v", out, err)
			}
			for k, v := range tt.want {
				if string(got[k]) != v {
					t.Errorf("%s = %s, want %s (body %s)", k, got[k], v, out)
				}
			}
		})
	}
}
