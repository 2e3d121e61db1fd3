// Command aigw-mock-idp runs an OpenID Connect provider on loopback for
// trying single sign-on by hand (make run, then sign in through it). It is
// github.com/oauth2-proxy/mockoidc: discovery, the authorization code flow
// with PKCE, a JWKS, RS256 ID tokens. Every sign-in is the one user the
// flags describe; nothing is asked in the browser.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/oauth2-proxy/mockoidc"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "aigw-mock-idp:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:5556", "listen address (loopback only)")
	clientID := flag.String("client-id", "aigw-local", "the client id aigw is registered with")
	clientSecret := flag.String("client-secret", "aigw-local-secret", "the client secret")
	email := flag.String("email", "jane@demo.local", "the signed-in user's e-mail (verified)")
	subject := flag.String("subject", "jane-0001", "the user's subject (sub)")
	username := flag.String("name", "jane", "the user's preferred_username")
	groups := flag.String("groups", "aigw-admins", "comma-separated groups (the groups claim)")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if a, perr := netip.ParseAddr(host); err != nil || perr != nil || !a.IsLoopback() {
		return fmt.Errorf("-addr %q: want a loopback address such as 127.0.0.1:5556", *addr)
	}
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		return err
	}
	m.ClientID, m.ClientSecret = *clientID, *clientSecret
	user := &mockoidc.MockUser{Subject: *subject, Email: *email, EmailVerified: true, PreferredUsername: *username,
		Groups: splitList(*groups)}
	err = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == mockoidc.AuthorizationEndpoint {
				m.QueueUser(user)
			}
			next.ServeHTTP(w, r)
		})
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if err := m.Start(ln, nil); err != nil {
		return err
	}
	printConfig(m, user)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	if err := m.Shutdown(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, g := range strings.Split(s, ",") {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}

func printConfig(m *mockoidc.MockOIDC, u *mockoidc.MockUser) {
	domain := u.Email[strings.LastIndexByte(u.Email, '@')+1:]
	cfg := map[string]any{"display_name": "Local mock IdP", "issuer": m.Issuer(), "client_id": m.ClientID,
		"client_secret": m.ClientSecret, "scopes": []string{"openid", "email", "profile", "groups"},
		"allowed_domains": []string{domain}, "role_mapping": map[string]string{"aigw-admins": "admin", "aigw-managers": "manager"},
		"default_role": "viewer"}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	fmt.Printf("mock identity provider: issuer %s (every sign-in is %s, groups %v)\n", m.Issuer(), u.Email, u.Groups)
	fmt.Printf("POST this to /api/v1/admin/sso/config as an admin:\n%s\n", b)
}
