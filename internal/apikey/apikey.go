// Package apikey makes and recognises aigw API keys. A key is "sk-aigw-" followed
// by 43 base62 characters (256 random bits). Only its SHA-256 is stored, with a
// short display prefix; a key of that entropy needs no salt or slow hash, and a
// fast hash keeps the lookup off the request's critical path.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
	"strings"
)

// Prefix starts every aigw key, so that secret scanners and people recognise one.
const Prefix = "sk-aigw-"

// bodyLen is the number of base62 characters after Prefix: 62^43 > 2^256.
const bodyLen = 43

// DisplayLen is the number of leading characters of a key kept for display.
const DisplayLen = len(Prefix) + 6

// MaxLen bounds what is hashed for a presented key; anything longer is rejected
// without hashing, so oversized headers cost nothing.
const MaxLen = 256

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Hash is the stored form of a key.
type Hash [sha256.Size]byte

// Generate returns a new random key.
func Generate() (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generating API key: %w", err)
	}
	n := new(big.Int).SetBytes(buf)
	base := big.NewInt(62)
	mod := new(big.Int)
	body := make([]byte, bodyLen)
	for i := bodyLen - 1; i >= 0; i-- {
		n.DivMod(n, base, mod)
		body[i] = alphabet[mod.Int64()]
	}
	return Prefix + string(body), nil
}

// Sum returns the hash under which key is stored.
func Sum(key string) Hash { return sha256.Sum256([]byte(key)) }

// Display returns the part of key that may be shown and logged.
func Display(key string) string {
	if len(key) <= DisplayLen {
		return key
	}
	return key[:DisplayLen]
}

// WellFormed reports whether key has the shape of an aigw key. It is a cheap
// filter before hashing and caching, not a check of validity.
func WellFormed(key string) bool {
	if len(key) != len(Prefix)+bodyLen || !strings.HasPrefix(key, Prefix) {
		return false
	}
	for i := len(Prefix); i < len(key); i++ {
		c := key[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
