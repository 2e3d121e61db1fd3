package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestUnknownRoutesMethodsAndUncleanPathsAreJSONErrors(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/no-such-route", 404, CodeRouteNotFound},
		{"DELETE", "/auth/me", 405, CodeMethod},
		{"GET", "/auth/../healthz", 400, CodeInvalidPath},
		{"GET", "/auth/./me", 400, CodeInvalidPath},
		{"GET", "//healthz", 400, CodeInvalidPath},
		{"GET", "/users/..%2F..%2Fetc%2Fpasswd", 400, CodeInvalidPath},
		{"GET", "/users/%2e%2e/keys", 400, CodeInvalidPath},
		{"GET", "/auth\\me", 400, CodeInvalidPath},
	} {
		req, _ := http.NewRequest(tc.method, e.http.URL+Prefix+tc.path, nil)
		req.URL.RawPath = "" // send the path as written
		req.URL.Opaque = Prefix + tc.path
		res, err := e.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		r := &response{t: t, Status: res.StatusCode, Header: res.Header, Body: body}
		if r.Status != tc.status {
			t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, r.Status, r.Body, tc.status)
			continue
		}
		if b := r.err(); b.Error.Code == nil || *b.Error.Code != tc.code {
			t.Errorf("%s %s: code %v, want %s", tc.method, tc.path, b.Error.Code, tc.code)
		}
		if tc.status == 405 && res.Header.Get("Allow") != "GET" {
			t.Errorf("Allow %q", res.Header.Get("Allow"))
		}
	}
}

func TestEveryAnswerHasARequestIDAndNoStore(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/healthz", "/nope", "/auth/me"} {
		r := e.do("GET", p, "", nil)
		if !strings.HasPrefix(r.Header.Get("X-Request-Id"), "adm_") || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", p, r.Header)
		}
	}
}
