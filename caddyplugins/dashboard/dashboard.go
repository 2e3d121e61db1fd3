// Package dashboard is the aigw_dashboard handler: it serves the admin
// dashboard (the React build of dashboard/, embedded in the binary) at /,
// with an SPA fallback to index.html, long-lived caching of the hashed
// assets, no-cache on index.html and a strict Content-Security-Policy. It
// answers GET and HEAD only and hands every other request to the next
// handler; it never sits on the /v1/* path.
package dashboard

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
)

// The build lands in dist/ (vite's outDir). dist/.gitkeep keeps the folder,
// so that a clean checkout builds and vets before npm has run; that binary
// answers 503 "not built" at /.
//
//go:embed all:dist
var embedded embed.FS

func init() {
	caddy.RegisterModule(Handler{})
}

// DefaultCSP allows only this origin: scripts, styles, fetches (the admin API
// and, from the playground, /v1), no inline script, no framing.
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// Handler serves the dashboard. It is a terminal handler for GET and HEAD.
type Handler struct {
	// Root, when set, serves the build from this directory instead of the
	// copy embedded in the binary (for trying a new build without
	// rebuilding aigw). Default: the embedded build.
	Root string `json:"root,omitempty"`
	// CSP replaces the Content-Security-Policy header (default DefaultCSP).
	CSP string `json:"csp,omitempty"`

	files  map[string]*file
	index  *file
	logger *zap.Logger
}

// file is one built file, read once at Provision.
type file struct {
	name string
	body []byte
	etag string
	// immutable: a content-hashed asset, cached for a year.
	immutable bool
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.aigw_dashboard", New: func() caddy.Module { return new(Handler) }}
}

// Provision reads the build into memory (a few hundred KB).
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	var fsys fs.FS
	if h.Root != "" {
		fsys = os.DirFS(h.Root)
	} else {
		sub, err := fs.Sub(embedded, "dist")
		if err != nil {
			return fmt.Errorf("dashboard: embedded build: %w", err)
		}
		fsys = sub
	}
	if err := h.load(fsys); err != nil {
		return err
	}
	if h.index == nil {
		h.logger.Warn("the dashboard is not built: / answers 503 (make build or make run builds it)", zap.String("root", h.Root))
	}
	return nil
}

// load reads every file of fsys.
func (h *Handler) load(fsys fs.FS) error {
	if h.CSP == "" {
		h.CSP = DefaultCSP
	}
	h.files = map[string]*file{}
	h.index = nil
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(path.Base(p), ".") {
			return nil
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := &file{name: p, body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`,
			immutable: strings.HasPrefix(p, "assets/")}
		h.files["/"+p] = f
		if p == "index.html" {
			h.index = f
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dashboard: reading the build %q: %w", h.Root, err)
	}
	return nil
}

// Validate checks the configuration.
func (h *Handler) Validate() error {
	if h.Root != "" {
		if st, err := os.Stat(h.Root); err != nil || !st.IsDir() {
			return fmt.Errorf("dashboard: root %q is not a directory", h.Root)
		}
	}
	return nil
}

// ServeHTTP serves a built file, or index.html for any other page path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return next.ServeHTTP(w, r)
	}
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", h.CSP)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("X-Frame-Options", "DENY")
	p := path.Clean("/" + r.URL.Path)
	f := h.files[p]
	if f == nil {
		// A missing asset (a file name with an extension) is a 404: answering
		// index.html would hide a broken build behind a blank page.
		if strings.HasPrefix(p, "/assets/") || path.Ext(p) != "" {
			return h.plain(w, http.StatusNotFound, "not found")
		}
		if h.index == nil {
			return h.plain(w, http.StatusServiceUnavailable, "The dashboard is not built into this binary. Run make build (or make run), which builds dashboard/ first.")
		}
		f = h.index
	}
	if f.immutable {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	hdr.Set("ETag", f.etag)
	if ct := contentType(f.name); ct != "" {
		hdr.Set("Content-Type", ct)
	}
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.body))
	return nil
}

func (h *Handler) plain(w http.ResponseWriter, status int, msg string) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write([]byte(msg + "\n"))
	return err
}

// contentType names the types the build has, independently of the host's
// MIME tables.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".json", ".map":
		return "application/json"
	case ".woff2":
		return "font/woff2"
	}
	return ""
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
