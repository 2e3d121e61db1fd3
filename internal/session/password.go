// Package session holds what a sign-in to the admin API needs and the gateway
// does not: password hashing (argon2id) and the signed tokens that carry a
// session's id. Sessions themselves (revocation, idle time) live in the
// database; see store.CreateSession.
package session

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Password length bounds, in characters. The upper bound keeps one hash
// cheap enough that long inputs cannot be used to tie up the server.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// Params are argon2id's cost parameters.
type Params struct {
	// Time is the number of passes over memory.
	Time uint32
	// MemoryKiB is the memory used, in KiB.
	MemoryKiB uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// DefaultParams are OWASP's first recommended argon2id setting (19 MiB, two
// passes, one thread): about 30 ms a hash on one core of a small server.
var DefaultParams = Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// ErrPasswordPolicy is wrapped by the errors of CheckPolicy.
var ErrPasswordPolicy = errors.New("password does not meet the policy")

// CheckPolicy reports whether pw may be set as a password: valid UTF-8, at
// least MinPasswordLen and at most MaxPasswordLen characters.
func CheckPolicy(pw string) error {
	if !utf8.ValidString(pw) {
		return fmt.Errorf("%w: not valid UTF-8", ErrPasswordPolicy)
	}
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return fmt.Errorf("%w: at least %d characters", ErrPasswordPolicy, MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return fmt.Errorf("%w: at most %d characters", ErrPasswordPolicy, MaxPasswordLen)
	}
	return nil
}

// HashPassword returns pw hashed with argon2id and a random salt, encoded in
// the PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
func HashPassword(pw string) (string, error) {
	return hashWith(pw, DefaultParams)
}

func hashWith(pw string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("generating password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches encoded, an argon2id hash from
// HashPassword or a bcrypt hash (which earlier versions stored). rehash is
// true when the password matched but encoded should be replaced by
// HashPassword's (another algorithm or weaker parameters).
func CheckPassword(encoded, pw string) (ok, rehash bool, err error) {
	if strings.HasPrefix(encoded, "$2a$") || strings.HasPrefix(encoded, "$2b$") || strings.HasPrefix(encoded, "$2y$") {
		if len(pw) > 72 { // bcrypt reads 72 bytes at most; do not let it ignore the rest
			return false, false, nil
		}
		err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(pw))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, false, nil
		}
		return err == nil, err == nil, err
	}
	p, salt, want, err := parseArgon2id(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	weaker := p.Time < DefaultParams.Time || p.MemoryKiB < DefaultParams.MemoryKiB
	return true, weaker, nil
}

// dummyHash is checked against when no user matches a sign-in, so that an
// unknown e-mail takes as long to refuse as a wrong password.
var dummyHash, _ = HashPassword("no user has this password, it only costs time")

// Waste spends the time of one password check, for a sign-in whose account
// does not exist.
func Waste(pw string) { CheckPassword(dummyHash, pw) } //nolint:errcheck

func parseArgon2id(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	var p Params
	var version int
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("password hash: not an argon2id PHC string")
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("password hash: unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.Time == 0 || p.Threads == 0 || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > 1<<22 || p.Time > 64 {
		return p, nil, nil, fmt.Errorf("password hash: bad parameters %q", parts[3])
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errors.New("password hash: bad salt")
	}
	key, err := enc.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errors.New("password hash: bad key")
	}
	return p, salt, key, nil
}
