package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MinSecretLen is the shortest SESSION_SECRET accepted, in bytes.
const MinSecretLen = 32

// issuer is the iss claim of every token.
const issuer = "aigw-admin"

// ErrInvalidToken is returned for a token that is malformed, not signed with
// the secret, of another issuer or algorithm, or expired.
var ErrInvalidToken = errors.New("invalid or expired session token")

// Claims are what a session token carries. The token only names a session:
// the database says whether it is still open and what role its user has.
type Claims struct {
	// SessionID is the session's id (the jti claim).
	SessionID string
	// UserID (sub) and TenantID (tid) say whose session it is.
	UserID, TenantID string
	// IssuedAt and ExpiresAt are the iat and exp claims.
	IssuedAt, ExpiresAt time.Time
}

type jwtClaims struct {
	TenantID string `json:"tid"`
	jwt.RegisteredClaims
}

// Signer signs and checks session tokens (HS256 JWTs) and derives CSRF
// tokens, from one secret.
type Signer struct {
	signKey, csrfKey []byte
}

// NewSigner returns a Signer for secret, which must hold at least
// MinSecretLen bytes. Separate keys are derived for signing and for CSRF
// tokens, so one never validates as the other.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("session secret: need at least %d bytes, got %d", MinSecretLen, len(secret))
	}
	return &Signer{signKey: derive(secret, "aigw session token v1"), csrfKey: derive(secret, "aigw csrf token v1")}, nil
}

func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Sign returns the signed token for c.
func (s *Signer) Sign(c Claims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwtClaims{
		TenantID: c.TenantID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Subject: c.UserID, ID: c.SessionID,
			IssuedAt: jwt.NewNumericDate(c.IssuedAt), ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
		},
	})
	out, err := t.SignedString(s.signKey)
	if err != nil {
		return "", fmt.Errorf("signing session token: %w", err)
	}
	return out, nil
}

// Parse checks token's signature (HS256 only), issuer and expiry at now and
// returns its claims, or ErrInvalidToken.
func (s *Signer) Parse(token string, now time.Time) (Claims, error) {
	if len(token) > 4096 {
		return Claims{}, ErrInvalidToken
	}
	var jc jwtClaims
	_, err := jwt.ParseWithClaims(token, &jc, func(*jwt.Token) (any, error) { return s.signKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil || jc.ID == "" || jc.Subject == "" || jc.TenantID == "" || jc.IssuedAt == nil {
		return Claims{}, ErrInvalidToken
	}
	return Claims{SessionID: jc.ID, UserID: jc.Subject, TenantID: jc.TenantID,
		IssuedAt: jc.IssuedAt.Time, ExpiresAt: jc.ExpiresAt.Time}, nil
}

// CSRFToken returns the CSRF token of a session: a browser that signed in
// with the session cookie must send it in the X-CSRF-Token header of every
// unsafe request. It is a MAC of the session id, so nothing is stored.
func (s *Signer) CSRFToken(sessionID string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(sessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether token is the session's CSRF token.
func (s *Signer) CheckCSRF(sessionID, token string) bool {
	want := s.CSRFToken(sessionID)
	return hmac.Equal([]byte(want), []byte(token))
}
