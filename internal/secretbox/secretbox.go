// Package secretbox seals secrets stored in the database (SSO client
// secrets, provider credentials) with AES-256-GCM under a key the operator
// holds outside it (AIGW_ENCRYPTION_KEY), so a copy of the database alone
// reveals none of them.
//
// Every sealed value names the key that sealed it (its key id), so keys can
// be rotated: the keyring seals with its current key and opens with any key
// it holds, current or retired. Every value is sealed with associated data
// naming where it belongs (table, column, tenant), so a ciphertext copied to
// another row or tenant does not open.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

// Sealed is a secret as stored: the key id, the nonce and the ciphertext
// (with its GCM tag).
type Sealed struct {
	// KeyID names the key that sealed the secret.
	KeyID string
	// Nonce is GCM's 12-byte nonce, random for every seal.
	Nonce []byte
	// Ciphertext is the sealed secret followed by the 16-byte tag.
	Ciphertext []byte
}

// ErrUnknownKey is returned by Open when the keyring does not hold the key
// that sealed a value (a retired key removed too early, or another
// deployment's key).
var ErrUnknownKey = errors.New("secretbox: the key that sealed this secret is not configured")

// ErrOpen is returned by Open when a value does not authenticate: it was
// altered, or sealed for another place (associated data).
var ErrOpen = errors.New("secretbox: the secret does not authenticate (altered, or sealed for another row)")

// Keyring seals with its current key and opens with any of its keys. It is
// safe for concurrent use.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// Key is one key with its id.
type Key struct {
	// ID names the key in sealed values: 1 to 32 letters, digits, '-' or '_'.
	ID string
	// Secret is the 32-byte AES-256 key.
	Secret []byte
}

var keyIDShape = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// NewKeyring returns a keyring that seals with current and opens with
// current and retired.
func NewKeyring(current Key, retired ...Key) (*Keyring, error) {
	k := &Keyring{current: current.ID, aeads: map[string]cipher.AEAD{}}
	for _, key := range append([]Key{current}, retired...) {
		if !keyIDShape.MatchString(key.ID) {
			return nil, fmt.Errorf("secretbox: key id %q: want 1 to 32 letters, digits, '-' or '_'", key.ID)
		}
		if len(key.Secret) != KeySize {
			return nil, fmt.Errorf("secretbox: key %s is %d bytes, want %d", key.ID, len(key.Secret), KeySize)
		}
		if _, dup := k.aeads[key.ID]; dup {
			return nil, fmt.Errorf("secretbox: key id %s given twice", key.ID)
		}
		block, err := aes.NewCipher(key.Secret)
		if err != nil {
			return nil, fmt.Errorf("secretbox: key %s: %w", key.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("secretbox: key %s: %w", key.ID, err)
		}
		k.aeads[key.ID] = aead
	}
	return k, nil
}

// CurrentKeyID returns the id of the key new secrets are sealed with.
func (k *Keyring) CurrentKeyID() string { return k.current }

// Seal encrypts plaintext under the current key, bound to aad (where the
// value belongs, such as "sso_configs.client_secret:<tenant id>").
func (k *Keyring) Seal(plaintext []byte, aad string) (Sealed, error) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Sealed{}, fmt.Errorf("secretbox: drawing a nonce: %w", err)
	}
	return Sealed{KeyID: k.current, Nonce: nonce, Ciphertext: aead.Seal(nil, nonce, plaintext, []byte(aad))}, nil
}

// Open decrypts s, which must have been sealed with the same aad.
func (k *Keyring) Open(s Sealed, aad string) ([]byte, error) {
	aead, ok := k.aeads[s.KeyID]
	if !ok {
		return nil, fmt.Errorf("%w (key id %q)", ErrUnknownKey, s.KeyID)
	}
	if len(s.Nonce) != aead.NonceSize() {
		return nil, ErrOpen
	}
	out, err := aead.Open(nil, s.Nonce, s.Ciphertext, []byte(aad))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// NeedsReseal reports whether s was sealed with a key other than the
// current one, so that rewriting it moves it to the current key.
func (k *Keyring) NeedsReseal(s Sealed) bool { return s.KeyID != k.current }

// ParseKey reads a key as the environment gives it: 32 bytes in standard or
// URL-safe base64 (padded or not) or in hex, optionally preceded by "ID:" to
// name it. Without an id, the id is derived from the key (a truncated hash
// that reveals nothing of it), so the same key always has the same id.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	id, material, named := strings.Cut(s, ":")
	if !named {
		id, material = "", s
	}
	secret, err := decodeKey(material)
	if err != nil {
		return Key{}, err
	}
	if id == "" {
		id = DeriveKeyID(secret)
	} else if !keyIDShape.MatchString(id) {
		return Key{}, fmt.Errorf("key id %q: want 1 to 32 letters, digits, '-' or '_'", id)
	}
	return Key{ID: id, Secret: secret}, nil
}

func decodeKey(s string) ([]byte, error) {
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("the key decodes to %d bytes, want %d (generate one with `openssl rand -base64 32`)", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("the key is neither base64 nor hex of %d bytes (generate one with `openssl rand -base64 32`)", KeySize)
}

// DeriveKeyID is the id of a key given without one.
func DeriveKeyID(secret []byte) string {
	sum := sha256.Sum256(append([]byte("aigw secretbox key id\x00"), secret...))
	return "k" + hex.EncodeToString(sum[:6])
}

// FromEnv builds the keyring from the value of AIGW_ENCRYPTION_KEY (current)
// and AIGW_ENCRYPTION_RETIRED_KEYS (comma-separated keys that still open
// what they sealed). It returns nil, nil when current is empty.
func FromEnv(current, retired string) (*Keyring, error) {
	if strings.TrimSpace(current) == "" {
		if strings.TrimSpace(retired) != "" {
			return nil, errors.New("AIGW_ENCRYPTION_RETIRED_KEYS is set but AIGW_ENCRYPTION_KEY is not")
		}
		return nil, nil
	}
	cur, err := ParseKey(current)
	if err != nil {
		return nil, fmt.Errorf("AIGW_ENCRYPTION_KEY: %w", err)
	}
	var old []Key
	for i, s := range strings.Split(retired, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		k, err := ParseKey(s)
		if err != nil {
			return nil, fmt.Errorf("AIGW_ENCRYPTION_RETIRED_KEYS, key %d: %w", i+1, err)
		}
		old = append(old, k)
	}
	return NewKeyring(cur, old...)
}
