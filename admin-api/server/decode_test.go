package server

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/apierr"
)

type decodeTarget struct {
	Name   string    `json:"name"`
	Count  int       `json:"count"`
	On     *bool     `json:"on"`
	Tags   []string  `json:"tags"`
	At     time.Time `json:"at"`
	Nested struct {
		Limit int `json:"limit"`
	} `json:"nested"`
}

func TestDecodeJSONRefusalsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
		param      string
	}{
		{"ok", `{"name":"x","count":2,"tags":["a"],"nested":{"limit":1}}`, 0, "", ""},
		{"malformed", `{"name":`, 400, CodeInvalidJSON, ""},
		{"syntax", `{"name" "x"}`, 400, CodeInvalidJSON, ""},
		{"wrong type", `{"count":"two"}`, 400, CodeInvalidField, "count"},
		{"nested wrong type", `{"nested":{"limit":"x"}}`, 400, CodeInvalidField, "nested.limit"},
		{"float for int", `{"count":1.5}`, 400, CodeInvalidField, "count"},
		{"array for string", `{"name":["x"]}`, 400, CodeInvalidField, "name"},
		{"unknown field", `{"name":"x","admin":true}`, 400, CodeUnknownField, "admin"},
		{"not an object", `[1,2]`, 400, CodeInvalidJSON, ""},
		{"trailing", `{"name":"x"} {"name":"y"}`, 400, CodeInvalidJSON, ""},
		{"empty", ``, 400, CodeInvalidJSON, ""},
		{"bad time", `{"at":"yesterday"}`, 400, CodeInvalidField, ""},
		{"bad utf8", "{\"name\":\"\xff\"}", 400, CodeInvalidJSON, ""},
		{"sql", `{"name":"x'; DROP TABLE users; --"}`, 0, "", ""},
		{"oversize", `{"name":"` + strings.Repeat("a", 200) + `"}`, 413, CodeBodyTooLarge, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v decodeTarget
			err := decodeJSON(strings.NewReader(tc.body), 128, &v)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("err %v", err)
				}
				return
			}
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Status != tc.status || ae.Code != tc.code || ae.Param != tc.param {
				t.Fatalf("err %#v, want %d %s param %q", err, tc.status, tc.code, tc.param)
			}
			if strings.Contains(ae.Message, "DROP") || strings.Contains(ae.Message, "\xff") {
				t.Errorf("message echoes the body: %q", ae.Message)
			}
		})
	}
}

func TestDecodeQuery(t *testing.T) {
	type q struct {
		PageQuery
		From time.Time `query:"from"`
		Kind string    `query:"kind"`
		Flag bool      `query:"flag"`
	}
	for _, tc := range []struct {
		raw, param string
	}{
		{"limit=10&offset=5&from=2026-01-01T00:00:00Z&kind=x&flag=true", ""},
		{"limit=ten", "limit"},
		{"from=2026-13-01", "from"},
		{"flag=maybe", "flag"},
		{"kind=a&kind=b", "kind"},
		{"bogus=1", "bogus"},
	} {
		var v q
		vals, _ := url.ParseQuery(tc.raw)
		err := decodeQuery(vals, &v)
		var ae *apierr.Error
		if tc.param == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.raw, err)
			}
			continue
		}
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Param != tc.param {
			t.Errorf("%s: err %v, want a 400 naming %s", tc.raw, err, tc.param)
		}
	}
}

func TestPageBounds(t *testing.T) {
	for _, tc := range []struct {
		q  PageQuery
		ok bool
	}{{PageQuery{}, true}, {PageQuery{Limit: 500}, true}, {PageQuery{Limit: 501}, false}, {PageQuery{Limit: -1}, false},
		{PageQuery{Offset: -1}, false}, {PageQuery{Offset: 1_000_001}, false}} {
		p, err := tc.q.page()
		if (err == nil) != tc.ok {
			t.Errorf("%+v: err %v", tc.q, err)
		}
		if tc.ok && (p.Limit < 1 || p.Limit > 500) {
			t.Errorf("%+v: page %+v", tc.q, p)
		}
	}
}

// FuzzDecodeJSON: whatever the body, decoding never panics and either fills
// the target or answers a 400 or 413 with the error shape.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"x"}`, `{"count":1e400}`, `{"tags":[null]}`, `{"nested":{"limit":-0}}`, `{"on":null}`,
		"{\"name\":\"\\ud800\"}", `{"at":"2026-01-01T00:00:00Z"}`, `{`, `null`, `"x"`, `{"a":{"b":{"c":[[[[]]]]}}}`} {
		f.Add([]byte(s))
	}
	var targets []reflect.Type
	for _, rt := range Routes() {
		if rt.Doc.Request != nil {
			targets = append(targets, reflect.TypeOf(rt.Doc.Request))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, typ := range append(targets, reflect.TypeOf(decodeTarget{})) {
			err := decodeJSON(strings.NewReader(string(body)), 4096, reflect.New(typ).Interface())
			if err == nil {
				continue
			}
			var ae *apierr.Error
			if !errors.As(err, &ae) || (ae.Status != 400 && ae.Status != 413) || ae.Message == "" {
				t.Fatalf("%s, body %q: err %#v", typ, body, err)
			}
		}
	})
}

// FuzzDecodeQuery: whatever the query string, decoding every route's query
// parameters never panics and either fills them or answers a 400 naming one.
func FuzzDecodeQuery(f *testing.F) {
	for _, s := range []string{"limit=10&offset=0", "from=2026-01-01T00:00:00Z", "limit=-1", "a=1&a=2", "%zz", "granularity=hour&to=x"} {
		f.Add(s)
	}
	var targets []reflect.Type
	for _, rt := range Routes() {
		if rt.Doc.Query != nil {
			targets = append(targets, reflect.TypeOf(rt.Doc.Query))
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, typ := range targets {
			err := decodeQuery(q, reflect.New(typ).Interface())
			var ae *apierr.Error
			if err != nil && (!errors.As(err, &ae) || ae.Status != 400 || ae.Param == "") {
				t.Fatalf("%s, query %q: err %#v", typ, raw, err)
			}
		}
	})
}
