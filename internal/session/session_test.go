package session

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id with the default parameters", h)
	}
	if ok, rehash, err := CheckPassword(h, "correct horse battery"); !ok || rehash || err != nil {
		t.Errorf("right password: ok %v rehash %v err %v", ok, rehash, err)
	}
	if ok, _, err := CheckPassword(h, "correct horse batterY"); ok || err != nil {
		t.Errorf("wrong password: ok %v err %v", ok, err)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestWeakerOrBcryptHashesAskForRehash(t *testing.T) {
	weak, err := hashWith("correct horse battery", Params{Time: 1, MemoryKiB: 64, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if ok, rehash, _ := CheckPassword(weak, "correct horse battery"); !ok || !rehash {
		t.Errorf("weaker argon2id: ok %v rehash %v, want both", ok, rehash)
	}
	b, _ := bcrypt.GenerateFromPassword([]byte("correct horse battery"), bcrypt.MinCost)
	if ok, rehash, err := CheckPassword(string(b), "correct horse battery"); !ok || !rehash || err != nil {
		t.Errorf("bcrypt: ok %v rehash %v err %v", ok, rehash, err)
	}
	if ok, _, _ := CheckPassword(string(b), "correct horse battery"+strings.Repeat("x", 80)); ok {
		t.Error("bcrypt accepted a password whose first 72 bytes match")
	}
}

func TestMalformedHashesAreErrors(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$a2V5", "$argon2id$v=18$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=4194305,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5"} {
		if ok, _, err := CheckPassword(h, "x"); ok || err == nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want an error", h, ok, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                         false,
		"twelve chars":                  true,
		"ünïcödé ünïc":                  true,
		strings.Repeat("a", 256):        true,
		strings.Repeat("a", 257):        false,
		"bad utf8 \xff\xfe long enough": false,
	} {
		if err := CheckPolicy(pw); (err == nil) != ok || (err != nil && !errors.Is(err, ErrPasswordPolicy)) {
			t.Errorf("CheckPolicy(%.20q) = %v, want ok %v", pw, err, ok)
		}
	}
}

func newSigner(t *testing.T, secret string) *Signer {
	t.Helper()
	s, err := NewSigner([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenRoundTripAndRefusals(t *testing.T) {
	s := newSigner(t, strings.Repeat("k", 32))
	now := time.Unix(1_800_000_000, 0)
	c := Claims{SessionID: "sid", UserID: "uid", TenantID: "tid", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	tok, err := s.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Parse(tok, now.Add(time.Minute))
	if err != nil || got.SessionID != "sid" || got.UserID != "uid" || got.TenantID != "tid" || !got.ExpiresAt.Equal(c.ExpiresAt) {
		t.Fatalf("Parse = %+v, %v", got, err)
	}
	if _, err := s.Parse(tok, now.Add(time.Hour+time.Second)); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("expired token: err %v", err)
	}
	other := newSigner(t, strings.Repeat("j", 32))
	if _, err := other.Parse(tok, now); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("token of another secret: err %v", err)
	}
	parts := strings.Split(tok, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"tid":"other","sub":"uid","jti":"sid","iss":"aigw-admin","iat":1800000000,"exp":1900000000}`)) + "." + parts[2]
	if _, err := s.Parse(tampered, now); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("tampered claims: err %v", err)
	}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"tid": "t", "sub": "u", "jti": "s", "iss": "aigw-admin", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	noneTok, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if _, err := s.Parse(noneTok, now); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("alg none: err %v", err)
	}
	hs512 := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{"tid": "t", "sub": "u", "jti": "s", "iss": "aigw-admin", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	hsTok, _ := hs512.SignedString(s.signKey)
	if _, err := s.Parse(hsTok, now); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("HS512 with the right key: err %v", err)
	}
	for _, junk := range []string{"", "a.b.c", strings.Repeat("x", 5000)} {
		if _, err := s.Parse(junk, now); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("Parse(%.10q): err %v", junk, err)
		}
	}
}

func TestShortSecretRefused(t *testing.T) {
	if _, err := NewSigner([]byte("too short")); err == nil {
		t.Error("a 9-byte secret was accepted")
	}
}

func TestCSRFTokenIsPerSessionAndNotTheSigningKey(t *testing.T) {
	s := newSigner(t, strings.Repeat("k", 32))
	a, b := s.CSRFToken("session-a"), s.CSRFToken("session-b")
	if a == b || !s.CheckCSRF("session-a", a) || s.CheckCSRF("session-a", b) || s.CheckCSRF("session-a", "") {
		t.Errorf("CSRF tokens do not tell sessions apart: %q %q", a, b)
	}
	if string(s.csrfKey) == string(s.signKey) {
		t.Error("CSRF and signing keys are the same")
	}
}
