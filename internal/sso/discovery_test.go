package sso

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/sso/ssotest"
)

var devPolicy = FetchPolicy{AllowInsecure: true}

func TestDiscoverAcceptsARealProvider(t *testing.T) {
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	ps := NewProviders(devPolicy, 0, nil)
	p, err := ps.Discover(context.Background(), idp.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	d := p.Discovery
	if d.Issuer != idp.Issuer() || d.TokenEndpoint != idp.TokenEndpoint() || d.JWKSURI != idp.JWKSEndpoint() ||
		d.PKCE() != PKCESupported || len(d.Warnings()) != 0 {
		t.Errorf("discovery %+v, pkce %s, warnings %v", d, d.PKCE(), d.Warnings())
	}
	// Outside development the same provider (plain HTTP on loopback) is refused.
	if _, err := NewProviders(FetchPolicy{}, 0, nil).Discover(context.Background(), idp.Issuer()); err == nil {
		t.Error("an http://127.0.0.1 issuer was accepted outside development")
	}
}

// docServer serves a discovery document: a valid one with edit applied.
func docServer(t *testing.T, edit func(doc map[string]any, w http.ResponseWriter) bool) string {
	t.Helper()
	var url string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/realm/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		doc := map[string]any{"issuer": url, "authorization_endpoint": url + "/auth", "token_endpoint": url + "/token",
			"jwks_uri": url + "/certs", "response_types_supported": []string{"code", "id_token"},
			"code_challenge_methods_supported": []string{"plain", "S256"}, "id_token_signing_alg_values_supported": []string{"RS256"},
			"scopes_supported": []string{"openid", "email", "profile"}}
		if edit != nil && edit(doc, w) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc) //nolint:errcheck
	}))
	t.Cleanup(srv.Close)
	url = srv.URL + "/realm"
	return url
}

func TestDiscoverRefusesBadDocuments(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(doc map[string]any, w http.ResponseWriter) bool
		want string
	}{
		"issuer mismatch": {func(d map[string]any, _ http.ResponseWriter) bool {
			d["issuer"] = d["issuer"].(string) + "/"
			return false
		}, "issuers must match exactly"},
		"no token endpoint": {func(d map[string]any, _ http.ResponseWriter) bool { delete(d, "token_endpoint"); return false }, "no usable token_endpoint"},
		"relative jwks":     {func(d map[string]any, _ http.ResponseWriter) bool { d["jwks_uri"] = "/certs"; return false }, "no usable jwks_uri"},
		"no S256": {func(d map[string]any, _ http.ResponseWriter) bool {
			d["code_challenge_methods_supported"] = []string{"plain"}
			return false
		}, "PKCE with S256"},
		"implicit only": {func(d map[string]any, _ http.ResponseWriter) bool {
			d["response_types_supported"] = []string{"id_token"}
			return false
		}, "authorization code flow"},
		"HS256 only": {func(d map[string]any, _ http.ResponseWriter) bool {
			d["id_token_signing_alg_values_supported"] = []string{"HS256"}
			return false
		}, "signs ID tokens only with HS256"},
		"not found": {func(_ map[string]any, w http.ResponseWriter) bool {
			w.WriteHeader(http.StatusNotFound)
			return true
		}, "answered HTTP 404"},
		"html": {func(_ map[string]any, w http.ResponseWriter) bool {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>login</html>")) //nolint:errcheck
			return true
		}, "not JSON"},
		"garbage": {func(_ map[string]any, w http.ResponseWriter) bool {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte("{not json")) //nolint:errcheck
			return true
		}, "not a JSON discovery document"},
		"huge": {func(d map[string]any, _ http.ResponseWriter) bool {
			d["padding"] = strings.Repeat("x", 2<<20)
			return false
		}, "more than the size allowed"},
	} {
		t.Run(name, func(t *testing.T) {
			iss := docServer(t, tc.edit)
			_, err := NewProviders(devPolicy, 0, nil).Discover(context.Background(), iss)
			var de *DiscoveryError
			if !errors.As(err, &de) || !strings.Contains(de.Error(), tc.want) {
				t.Fatalf("err %v, want a DiscoveryError saying %q", err, tc.want)
			}
			if strings.Contains(de.Error(), "<html>") || strings.Contains(de.Error(), "xxxx") {
				t.Errorf("the error quotes the answer: %v", de)
			}
		})
	}
}

func TestDiscoverWarnsWhenPKCEIsNotAdvertised(t *testing.T) {
	iss := docServer(t, func(d map[string]any, _ http.ResponseWriter) bool {
		delete(d, "code_challenge_methods_supported") // as Entra ID's document
		return false
	})
	p, err := NewProviders(devPolicy, 0, nil).Discover(context.Background(), iss)
	if err != nil {
		t.Fatal(err)
	}
	if p.Discovery.PKCE() != PKCENotAdvertised || len(p.Discovery.Warnings()) != 1 {
		t.Errorf("pkce %s, warnings %v", p.Discovery.PKCE(), p.Discovery.Warnings())
	}
}

func TestProvidersCacheAndKeepTheLastGoodProviderWhenRefreshFails(t *testing.T) {
	fail := false
	iss := docServer(t, func(_ map[string]any, w http.ResponseWriter) bool {
		if fail {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		return fail
	})
	now := ssotestClock()
	ps := NewProviders(devPolicy, 0, now.Now)
	p1, err := ps.Get(context.Background(), iss)
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := ps.Get(context.Background(), iss); p2 != p1 {
		t.Error("a fresh entry was discovered again")
	}
	fail = true
	now.Add(2 * time.Hour)
	if p3, err := ps.Get(context.Background(), iss); err != nil || p3 != p1 {
		t.Errorf("refresh failure: %v, %v", p3, err)
	}
	// The provider comes back: after a minute the entry is refreshed.
	fail = false
	now.Add(2 * time.Minute)
	if p4, err := ps.Get(context.Background(), iss); err != nil || p4 == p1 {
		t.Errorf("after recovery: %v (same: %v), %v", p4, p4 == p1, err)
	}
	if _, err := ps.Get(context.Background(), iss+"/other"); err == nil {
		t.Error("an unknown issuer whose discovery fails was returned")
	}
}
