// Package sso is aigw's OpenID Connect relying party: discovery, the
// authorization code flow with PKCE (S256), state, nonce and ID token
// checks, and the mapping of an identity provider's groups to aigw's roles.
// It knows nothing of HTTP servers or the database: the admin API drives it.
//
// Every request to an identity provider goes through one HTTP client
// (NewHTTPClient) that bounds time and size and, outside development,
// speaks only HTTPS to public or private addresses, never to loopback,
// link-local (cloud metadata) or unspecified ones: the issuer URL is typed
// by a tenant administrator, and the server must not fetch whatever it names.
package sso

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// FetchPolicy bounds what the server fetches from identity providers.
type FetchPolicy struct {
	// AllowInsecure allows http:// URLs and loopback addresses (development,
	// tests with an identity provider on 127.0.0.1). Never in production.
	AllowInsecure bool
	// Timeout bounds one request, redirects and body included (default 10 s).
	Timeout time.Duration
	// MaxBody is the largest response body read, in bytes (default 1 MiB).
	MaxBody int64
}

func (p FetchPolicy) withDefaults() FetchPolicy {
	if p.Timeout <= 0 {
		p.Timeout = 10 * time.Second
	}
	if p.MaxBody <= 0 {
		p.MaxBody = 1 << 20
	}
	return p
}

// ErrTooLarge is the error of reading a response body beyond MaxBody.
var ErrTooLarge = errors.New("the identity provider's answer is larger than allowed")

// errForbiddenAddress is the dial error for an address the policy refuses.
var errForbiddenAddress = errors.New("the address is loopback, link-local, multicast or unspecified, which identity providers may not use")

// NewHTTPClient returns the client every identity provider request uses:
// bounded in time, in body size and in redirects (3, each checked like the
// first), with every dialled address checked against the policy (a name
// that resolves to a forbidden address is refused too).
func NewHTTPClient(p FetchPolicy) *http.Client {
	p = p.withDefaults()
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !p.AllowInsecure {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			addr, err := netip.ParseAddr(host)
			if err != nil || forbiddenAddr(addr) {
				return fmt.Errorf("dialling %s: %w", address, errForbiddenAddress)
			}
			return nil
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = dialer.DialContext
	tr.TLSHandshakeTimeout = 5 * time.Second
	tr.ResponseHeaderTimeout = p.Timeout
	tr.MaxResponseHeaderBytes = 64 << 10
	return &http.Client{
		Timeout:   p.Timeout,
		Transport: &guardedTransport{next: tr, policy: p},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("more than 3 redirects")
			}
			return checkScheme(req.URL, p)
		},
	}
}

// forbiddenAddr reports whether a is an address no identity provider
// should have: loopback, link-local (169.254.169.254 serves cloud
// credentials), multicast or unspecified.
func forbiddenAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() ||
		a.IsMulticast() || a.IsUnspecified()
}

// guardedTransport checks every request's scheme and caps every body.
type guardedTransport struct {
	next   http.RoundTripper
	policy FetchPolicy
}

func (t *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkScheme(req.URL, t.policy); err != nil {
		return nil, err
	}
	res, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	res.Body = &cappedBody{rc: res.Body, left: t.policy.MaxBody}
	return res, nil
}

func checkScheme(u *url.URL, p FetchPolicy) error {
	if u.Scheme == "https" || (u.Scheme == "http" && p.AllowInsecure) {
		return nil
	}
	return fmt.Errorf("%s: identity provider URLs must use https", u.Redacted())
}

// cappedBody fails with ErrTooLarge past its limit, rather than cutting
// the body short and letting a truncated document parse.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, ErrTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// CheckIssuerURL validates an issuer URL as an administrator typed it and
// returns it as the provider must name itself in its tokens: absolute,
// https (unless the policy allows insecure), no user info, query or
// fragment, at most 2048 bytes. A trailing slash is kept: issuers are
// compared exactly, and some providers' issuers end in one.
func CheckIssuerURL(raw string, p FetchPolicy) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 2048 {
		return "", errors.New("want an absolute https URL of at most 2048 characters, such as https://login.bank.example/realms/staff")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return "", errors.New("want an absolute https URL, such as https://login.bank.example/realms/staff")
	}
	if err := checkScheme(u, p); err != nil {
		return "", errors.New("the issuer must use https")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", errors.New("an issuer URL has no user name, query or fragment")
	}
	if !p.AllowInsecure {
		if a, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); (err == nil && forbiddenAddr(a)) || strings.EqualFold(u.Hostname(), "localhost") {
			return "", errors.New("the issuer's host is a loopback or link-local address")
		}
	}
	return raw, nil
}
