package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"
	"github.com/redis/go-redis/v9"

	"github.com/aigw/aigw/internal/secretbox"
	"github.com/aigw/aigw/internal/sso"
	"github.com/aigw/aigw/internal/sso/ssotest"
	"github.com/aigw/aigw/internal/testdb"
)

// ssoEnv is the admin API served over TLS at its public URL (the SSO
// cookies are Secure, as in production), beside env's plain server.
type ssoEnv struct {
	*env
	https   *httptest.Server
	keyring *secretbox.Keyring
}

func testKeyring(t *testing.T) *secretbox.Keyring {
	t.Helper()
	b := make([]byte, secretbox.KeySize)
	rand.Read(b) //nolint:errcheck
	kr, err := secretbox.NewKeyring(secretbox.Key{ID: "test-key", Secret: b})
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// newSSOEnv starts the admin API with SSO: a keyring, identity providers
// allowed on loopback over HTTP, and its own HTTPS listener as public URL.
func newSSOEnv(t *testing.T, mod ...func(*Config)) *ssoEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	kr := testKeyring(t)
	base := func(c *Config) {
		c.SSO.PublicURL, c.SSO.Keyring, c.SSO.AllowInsecureIssuers = "https://"+ln.Addr().String(), kr, true
	}
	e := newEnv(t, append([]func(*Config){base}, mod...)...)
	return &ssoEnv{env: e, https: serveTLS(t, ln, e.srv), keyring: kr}
}

func serveTLS(t *testing.T, ln net.Listener, h http.Handler) *httptest.Server {
	t.Helper()
	ts := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

// redisStates returns a Redis state store on make test's Redis under a
// prefix of the test's own.
func redisStates(t *testing.T) sso.StateStore {
	t.Helper()
	opt, err := redis.ParseURL(testdb.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(opt)
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	prefix := "aigw-test:sso-server:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		if keys, _ := rc.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			rc.Del(ctx, keys...)
		}
		rc.Close()
	})
	return sso.NewRedisStates(rc, prefix, nil)
}

// idpConfig is a tenant's configuration for idp: groups aigw-admins and
// aigw-managers mapped, everyone else a user, e-mails of domain only.
func idpConfig(idp *ssotest.IdP, domain string) map[string]any {
	return map[string]any{"display_name": "Bank IdP", "issuer": idp.Issuer(), "client_id": idp.ClientID,
		"client_secret": idp.ClientSecret, "scopes": []string{"openid", "email", "profile", "groups"},
		"allowed_domains": []string{domain}, "role_mapping": map[string]string{"aigw-admins": "admin", "aigw-managers": "manager"},
		"default_role": "user"}
}

// configure stores cfg as tenant tn's SSO configuration (as its admin).
func (e *env) configure(tn *tenant, cfg map[string]any) SSOConfig {
	e.t.Helper()
	var out SSOConfig
	e.do("POST", "/sso/config", tn.Tokens["admin"], cfg).want(http.StatusCreated).decode(&out)
	return out
}

// browser is a user agent with cookies that follows redirects through the
// identity provider and the callback, and stops at the dashboard.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func (se *ssoEnv) browser() *browser {
	se.t.Helper()
	return newBrowser(se.t, se.https)
}

func newBrowser(t *testing.T, ts *httptest.Server) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := *ts.Client()
	c.Jar = jar
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path != ssoCallback && !strings.HasPrefix(req.URL.Path, mockoidc.IssuerBase+"/") {
			return http.ErrUseLastResponse // the dashboard: where the flow ends
		}
		return nil
	}
	return &browser{t: t, base: ts.URL, client: &c}
}

// initiate starts a sign-in and returns the authorization URL.
func (b *browser) initiate(body map[string]any) string {
	b.t.Helper()
	res := b.post(Prefix+"/auth/sso/initiate", body)
	res.want(http.StatusOK)
	var out SSOInitiate
	res.decode(&out)
	return out.AuthorizationURL
}

func (b *browser) post(path string, body any) *response {
	b.t.Helper()
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", b.base+path, bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	return b.do(req)
}

// get requests u (absolute, or a path of the server).
func (b *browser) get(u string) *response {
	b.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = b.base + u
	}
	req, _ := http.NewRequest("GET", u, nil)
	return b.do(req)
}

func (b *browser) do(req *http.Request) *response {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return &response{t: b.t, Status: res.StatusCode, Header: res.Header, Body: data}
}

// atIdP follows the authorization URL to the provider only and returns
// the callback URL the provider sends the browser to.
func (b *browser) atIdP(authURL string) string {
	b.t.Helper()
	c := *b.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Get(authURL)
	if err != nil {
		b.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		b.t.Fatalf("the provider answered %d", res.StatusCode)
	}
	return res.Header.Get("Location")
}

// signIn runs the whole flow for tenant slug and returns the callback's
// answer (a 303 to the dashboard or to the sign-in page).
func (b *browser) signIn(slug, returnTo string) *response {
	b.t.Helper()
	return b.get(b.initiate(map[string]any{"tenant": slug, "return_to": returnTo}))
}

// landed returns where the callback sent the browser: the path and, for
// a refusal, the sso_error code.
func (r *response) landed() (path, code string) {
	r.t.Helper()
	if r.Status != http.StatusSeeOther {
		r.t.Fatalf("callback answered %d, want 303: %s", r.Status, r.Body)
	}
	u, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		r.t.Fatal(err)
	}
	return u.Path, u.Query().Get("sso_error")
}

// me is GET /auth/me with the browser's session cookie.
func (b *browser) me() (*Me, int) {
	b.t.Helper()
	res := b.get(Prefix + "/auth/me")
	if res.Status != http.StatusOK {
		return nil, res.Status
	}
	var m Me
	res.decode(&m)
	return &m, res.Status
}

func newTLS(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveTLS(t, ln, h)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// putJSON is a PUT of body as JSON with headers hdr (name, value, ...).
func putJSON(t *testing.T, u string, body any, hdr ...string) *http.Request {
	t.Helper()
	j, _ := json.Marshal(body)
	req, err := http.NewRequest("PUT", u, bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return req
}
