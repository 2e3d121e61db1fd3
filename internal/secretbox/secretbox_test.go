package secretbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func newKey(t *testing.T, id string) Key {
	t.Helper()
	b := make([]byte, KeySize)
	rand.Read(b) //nolint:errcheck
	return Key{ID: id, Secret: b}
}

func TestSealOpenRoundTripsAndEverySealDiffers(t *testing.T) {
	k, err := NewKeyring(newKey(t, "a"))
	if err != nil {
		t.Fatal(err)
	}
	s1, err := k.Seal([]byte("client-secret-value"), "sso:t1")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := k.Seal([]byte("client-secret-value"), "sso:t1")
	if bytes.Equal(s1.Nonce, s2.Nonce) || bytes.Equal(s1.Ciphertext, s2.Ciphertext) {
		t.Fatal("two seals of one secret are alike: the nonce is not random")
	}
	if bytes.Contains(s1.Ciphertext, []byte("client-secret")) || s1.KeyID != "a" || len(s1.Nonce) != 12 {
		t.Fatalf("sealed %+v", s1)
	}
	got, err := k.Open(s1, "sso:t1")
	if err != nil || string(got) != "client-secret-value" {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

func TestOpenRefusesAlteredOrMisplacedSecrets(t *testing.T) {
	k, _ := NewKeyring(newKey(t, "a"))
	s, _ := k.Seal([]byte("secret"), "sso:t1")
	flipped := s
	flipped.Ciphertext = append([]byte(nil), s.Ciphertext...)
	flipped.Ciphertext[0] ^= 1
	shortNonce := s
	shortNonce.Nonce = s.Nonce[:4]
	for name, tc := range map[string]struct {
		s   Sealed
		aad string
	}{
		"flipped bit":        {flipped, "sso:t1"},
		"another tenant":     {s, "sso:t2"},
		"short nonce":        {shortNonce, "sso:t1"},
		"truncated":          {Sealed{KeyID: "a", Nonce: s.Nonce, Ciphertext: s.Ciphertext[:5]}, "sso:t1"},
		"empty associations": {s, ""},
	} {
		if _, err := k.Open(tc.s, tc.aad); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: err %v, want ErrOpen", name, err)
		}
	}
}

func TestRotationOpensWithRetiredKeysAndSealsWithTheNewOne(t *testing.T) {
	oldKey, newer := newKey(t, "2025"), newKey(t, "2026")
	before, _ := NewKeyring(oldKey)
	s, _ := before.Seal([]byte("secret"), "x")
	after, err := NewKeyring(newer, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := after.Open(s, "x"); err != nil || string(got) != "secret" {
		t.Fatalf("retired key: %q, %v", got, err)
	}
	if !after.NeedsReseal(s) {
		t.Error("a secret sealed with a retired key does not need resealing")
	}
	s2, _ := after.Seal([]byte("secret"), "x")
	if s2.KeyID != "2026" || after.NeedsReseal(s2) {
		t.Errorf("sealed with %s", s2.KeyID)
	}
	withoutOld, _ := NewKeyring(newer)
	if _, err := withoutOld.Open(s, "x"); !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), "2025") {
		t.Errorf("open without the retired key: %v", err)
	}
}

func TestNewKeyringRefusesBadKeys(t *testing.T) {
	good := newKey(t, "a")
	for name, keys := range map[string][]Key{
		"short":        {{ID: "a", Secret: make([]byte, 16)}},
		"bad id":       {{ID: "a b", Secret: good.Secret}},
		"empty id":     {{ID: "", Secret: good.Secret}},
		"duplicate id": {good, {ID: "a", Secret: newKey(t, "x").Secret}},
	} {
		if _, err := NewKeyring(keys[0], keys[1:]...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseKeyReadsEveryEncodingAndNeverQuotesTheKey(t *testing.T) {
	raw := newKey(t, "x").Secret
	derived := DeriveKeyID(raw)
	for name, s := range map[string]string{
		"base64":        base64.StdEncoding.EncodeToString(raw),
		"raw base64":    base64.RawStdEncoding.EncodeToString(raw),
		"url base64":    base64.URLEncoding.EncodeToString(raw),
		"hex":           hex.EncodeToString(raw),
		"padded spaces": "  " + base64.StdEncoding.EncodeToString(raw) + "\n",
	} {
		k, err := ParseKey(s)
		if err != nil || !bytes.Equal(k.Secret, raw) || k.ID != derived {
			t.Errorf("%s: %+v, %v", name, k.ID, err)
		}
	}
	k, err := ParseKey("prod-2026:" + base64.StdEncoding.EncodeToString(raw))
	if err != nil || k.ID != "prod-2026" {
		t.Errorf("named key: %q, %v", k.ID, err)
	}
	if DeriveKeyID(raw) == DeriveKeyID(newKey(t, "y").Secret) || strings.Contains(derived, hex.EncodeToString(raw[:4])) {
		t.Error("derived ids collide or show the key")
	}
	short := base64.StdEncoding.EncodeToString(raw[:20])
	for _, bad := range []string{"", "not a key!", short, "bad id!:" + base64.StdEncoding.EncodeToString(raw)} {
		_, err := ParseKey(bad)
		if err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		} else if bad != "" && strings.Contains(err.Error(), short) {
			t.Errorf("error quotes the key: %v", err)
		}
	}
}

func TestFromEnv(t *testing.T) {
	if k, err := FromEnv("", ""); k != nil || err != nil {
		t.Errorf("unset: %v, %v", k, err)
	}
	if _, err := FromEnv("", "k:"+base64.StdEncoding.EncodeToString(newKey(t, "x").Secret)); err == nil {
		t.Error("retired keys without a current key accepted")
	}
	a, b := newKey(t, "a"), newKey(t, "b")
	old, _ := NewKeyring(Key{ID: "old", Secret: b.Secret})
	s, _ := old.Seal([]byte("v"), "aad")
	k, err := FromEnv(base64.StdEncoding.EncodeToString(a.Secret), " , old:"+hex.EncodeToString(b.Secret))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Open(s, "aad"); err != nil || string(got) != "v" {
		t.Errorf("retired key from the environment: %q, %v", got, err)
	}
	if _, err := FromEnv(base64.StdEncoding.EncodeToString(a.Secret), "nonsense"); err == nil || !strings.Contains(err.Error(), "RETIRED_KEYS, key 1") {
		t.Errorf("bad retired key: %v", err)
	}
}
