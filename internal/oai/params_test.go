package oai

import (
	"encoding/json"
	"testing"
)

func TestParseToolChoice(t *testing.T) {
	tests := []struct {
		in   string
		want ToolChoice
		err  bool
	}{
		{``, ToolChoice{Mode: "auto"}, false},
		{`"none"`, ToolChoice{Mode: "none"}, false},
		{`"required"`, ToolChoice{Mode: "required"}, false},
		{`{"type":"function","function":{"name":"f"}}`, ToolChoice{Mode: "function", Function: "f"}, false},
		{`"maybe"`, ToolChoice{}, true},
		{`{"type":"function"}`, ToolChoice{}, true},
	}
	for _, tt := range tests {
		r := ChatParams{ToolChoice: json.RawMessage(tt.in)}
		got, err := r.ParseToolChoice()
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("%s: got %+v, %v", tt.in, got, err)
		}
	}
}

func TestDataURL(t *testing.T) {
	if mt, data, ok := DataURL("data:image/jpeg;base64,AAAA"); !ok || mt != "image/jpeg" || data != "AAAA" {
		t.Errorf("got %q %q %v", mt, data, ok)
	}
	for _, bad := range []string{"https://x/y.png", "data:image/png,raw", "data:;base64,AA"} {
		if _, _, ok := DataURL(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
