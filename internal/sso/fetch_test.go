package sso

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCheckIssuerURL(t *testing.T) {
	secure, insecure := FetchPolicy{}, FetchPolicy{AllowInsecure: true}
	for _, tc := range []struct {
		in     string
		policy FetchPolicy
		ok     bool
	}{
		{"https://login.bank.example/realms/staff", secure, true},
		{"https://login.microsoftonline.com/0b6f2c9e-3c1d-4d8e-9a57-2f1e5c7d9b10/v2.0", secure, true},
		{"https://bank.okta.com/", secure, true},
		{"  https://idp.bank.example  ", secure, true},
		{"https://10.1.2.3/realms/x", secure, true}, // on-premises providers on private addresses
		{"http://login.bank.example", secure, false},
		{"http://127.0.0.1:5556/oidc", insecure, true},
		{"https://127.0.0.1/oidc", secure, false},
		{"https://localhost/oidc", secure, false},
		{"https://[::1]/oidc", secure, false},
		{"https://169.254.169.254/latest", secure, false},
		{"https://0.0.0.0/", secure, false},
		{"https://user:pw@idp.example", secure, false},
		{"https://idp.example/?tenant=x", secure, false},
		{"https://idp.example/#x", secure, false},
		{"idp.example", secure, false},
		{"/relative", secure, false},
		{"ftp://idp.example", insecure, false},
		{"", secure, false},
		{"https://idp.example/" + strings.Repeat("a", 2048), secure, false},
	} {
		got, err := CheckIssuerURL(tc.in, tc.policy)
		if (err == nil) != tc.ok {
			t.Errorf("CheckIssuerURL(%q) = %q, %v; want ok=%v", tc.in, got, err, tc.ok)
		}
		if err == nil && got != strings.TrimSpace(tc.in) {
			t.Errorf("CheckIssuerURL(%q) = %q", tc.in, got)
		}
	}
}

func TestClientRefusesPlainHTTPAndLoopbackOutsideDevelopment(t *testing.T) {
	hits := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer plain.Close()
	c := NewHTTPClient(FetchPolicy{})
	if _, err := c.Get(srv.URL); !errors.Is(err, errForbiddenAddress) {
		t.Errorf("https to loopback: %v, want the address refused", err)
	}
	if _, err := c.Get(plain.URL); err == nil || !strings.Contains(err.Error(), "must use https") {
		t.Errorf("plain http: %v", err)
	}
	if hits != 0 {
		t.Errorf("%d requests reached the servers", hits)
	}
	// A redirect to plain HTTP is refused too, even from an allowed start.
	ins := NewHTTPClient(FetchPolicy{AllowInsecure: true})
	if res, err := ins.Get(plain.URL); err != nil || hits != 1 {
		t.Fatalf("insecure policy: %v %v", res, err)
	}
}

func TestClientCapsBodiesRedirectsAndTime(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 3000)) //nolint:errcheck
	})
	mux.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 1000)) //nolint:errcheck
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := NewHTTPClient(FetchPolicy{AllowInsecure: true, MaxBody: 1000, Timeout: 300 * time.Millisecond})
	read := func(path string) error {
		res, err := c.Get(srv.URL + path)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		buf := make([]byte, 512)
		for {
			if _, err := res.Body.Read(buf); err != nil {
				if errors.Is(err, context.DeadlineExceeded) || err.Error() == "EOF" {
					return nil
				}
				return err
			}
		}
	}
	if err := read("/big"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("3000-byte body with a 1000-byte cap: %v", err)
	}
	if err := read("/exact"); err != nil {
		t.Errorf("body of exactly the cap: %v", err)
	}
	if err := read("/loop"); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("redirect loop: %v", err)
	}
	if err := read("/slow"); err == nil {
		t.Error("a slow answer was waited for past the timeout")
	}
}
