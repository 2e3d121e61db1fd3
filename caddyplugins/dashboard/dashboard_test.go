package dashboard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/encode"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/encode/gzip"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/encode/zstd"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/internal/adapttest"
)

func built(t *testing.T) *Handler {
	t.Helper()
	h := &Handler{logger: zap.NewNop()}
	err := h.load(fstest.MapFS{
		"index.html":             {Data: []byte(`<!doctype html><script type="module" src="/assets/index-abc123.js"></script>`)},
		"assets/index-abc123.js": {Data: []byte("console.log(1)")},
		"assets/app-9f8e.css":    {Data: []byte("body{}")},
		".gitkeep":               {Data: nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

type nextRecorder struct{ called bool }

func (n *nextRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) error {
	n.called = true
	w.WriteHeader(http.StatusTeapot)
	return nil
}

func serve(t *testing.T, h *Handler, method, target string, hdr map[string]string) (*httptest.ResponseRecorder, bool) {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	next := &nextRecorder{}
	if err := h.ServeHTTP(w, r, next); err != nil {
		t.Fatal(err)
	}
	return w, next.called
}

func TestServesTheBuildWithCacheHeadersAndCSP(t *testing.T) {
	h := built(t)
	for _, tc := range []struct {
		target, wantType, wantCache, wantBody string
		wantStatus                            int
	}{
		{"/", "text/html; charset=utf-8", "no-cache", "<!doctype html>", 200},
		{"/index.html", "text/html; charset=utf-8", "no-cache", "<!doctype html>", 200},
		// SPA fallback: any page path answers index.html.
		{"/keys", "text/html; charset=utf-8", "no-cache", "<!doctype html>", 200},
		{"/users/0b6f2c9e?tab=usage", "text/html; charset=utf-8", "no-cache", "<!doctype html>", 200},
		{"/assets/index-abc123.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "console.log(1)", 200},
		{"/assets/app-9f8e.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable", "body{}", 200},
		// A missing asset is a 404, not index.html.
		{"/assets/index-gone.js", "text/plain; charset=utf-8", "no-store", "not found", 404},
		{"/favicon.ico", "text/plain; charset=utf-8", "no-store", "not found", 404},
		// Dot files of the build folder are not served; the path is cleaned.
		{"/.gitkeep", "text/plain; charset=utf-8", "no-store", "not found", 404},
		{"/x/../assets/app-9f8e.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable", "body{}", 200},
	} {
		w, _ := serve(t, h, "GET", tc.target, nil)
		if w.Code != tc.wantStatus || w.Header().Get("Content-Type") != tc.wantType || w.Header().Get("Cache-Control") != tc.wantCache || !strings.Contains(w.Body.String(), tc.wantBody) {
			t.Errorf("GET %s = %d %q %q %q", tc.target, w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"), w.Body.String())
		}
		csp := w.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q", tc.target, csp)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", tc.target)
		}
	}
}

func TestETagRevalidation(t *testing.T) {
	h := built(t)
	w, _ := serve(t, h, "GET", "/", nil)
	etag := w.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	w, _ = serve(t, h, "GET", "/overview", map[string]string{"If-None-Match": etag})
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Fatalf("revalidation: %d, %d bytes", w.Code, w.Body.Len())
	}
}

func TestHeadServesHeadersOnly(t *testing.T) {
	w, called := serve(t, built(t), "HEAD", "/assets/index-abc123.js", nil)
	if called || w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != "14" {
		t.Fatalf("HEAD: next %v, %d, body %d, length %q", called, w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
}

func TestOtherMethodsGoToTheNextHandler(t *testing.T) {
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		w, called := serve(t, built(t), m, "/keys", nil)
		if !called || w.Code != http.StatusTeapot {
			t.Errorf("%s: next called %v, status %d", m, called, w.Code)
		}
	}
}

func TestNotBuiltAnswers503(t *testing.T) {
	h := &Handler{logger: zap.NewNop()}
	if err := h.load(fstest.MapFS{".gitkeep": {}}); err != nil {
		t.Fatal(err)
	}
	w, _ := serve(t, h, "GET", "/overview", nil)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "make build") {
		t.Fatalf("not built: %d %q", w.Code, w.Body.String())
	}
}

func TestCustomCSP(t *testing.T) {
	h := &Handler{CSP: "default-src 'none'", logger: zap.NewNop()}
	if err := h.load(fstest.MapFS{"index.html": {Data: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	w, _ := serve(t, h, "GET", "/", nil)
	if got := w.Header().Get("Content-Security-Policy"); got != "default-src 'none'" {
		t.Fatalf("CSP %q", got)
	}
}

func TestValidateRoot(t *testing.T) {
	if err := (&Handler{Root: t.TempDir()}).Validate(); err != nil {
		t.Errorf("existing root: %v", err)
	}
	if err := (&Handler{Root: "/nonexistent/dist"}).Validate(); err == nil || !strings.Contains(err.Error(), "/nonexistent/dist") {
		t.Errorf("missing root: %v", err)
	}
}

func TestUnmarshalCaddyfile(t *testing.T) {
	for _, tc := range []struct {
		in, wantRoot, wantCSP, wantErr string
	}{
		{"aigw_dashboard", "", "", ""},
		{"aigw_dashboard {\n root dashboard/dist\n csp \"default-src 'self'\"\n}", "dashboard/dist", "default-src 'self'", ""},
		{"aigw_dashboard /x", "", "", "wrong argument count"},
		{"aigw_dashboard {\n root\n}", "", "", "wrong argument count"},
		{"aigw_dashboard {\n spa off\n}", "", "", `unrecognized aigw_dashboard option "spa"`},
	} {
		var h Handler
		err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tc.in))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || h.Root != tc.wantRoot || h.CSP != tc.wantCSP {
			t.Errorf("%q: %+v, err %v", tc.in, h, err)
		}
	}
}

func TestAdaptGolden(t *testing.T) {
	adapttest.Golden(t, `:8080 {
	handle {
		encode zstd gzip
		aigw_dashboard
	}
}`, "testdata/adapt.golden.json")
}

var _ caddyhttp.Handler = (*nextRecorder)(nil)
