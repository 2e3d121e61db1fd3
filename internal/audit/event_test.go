package audit

import (
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"
)

// TestRowHashUnchanged pins a row's hash as the first release computed it
// (encoding/json for the details, one sha256 write per field): rows already
// stored must keep verifying.
func TestRowHashUnchanged(t *testing.T) {
	e := Event{TenantID: "6f1c8a52-3b0e-4c61-9d7a-1f2e3d4c5b6a", OccurredAt: time.Date(2026, 11, 25, 12, 0, 0, 123456000, time.UTC),
		ActorType: ActorAPIKey, ActorID: "0b9e6c1e-6a3c-4a3e-9f1a-2c8d5e7f9a10", Action: "api.request", ResourceType: "model",
		ResourceID: "gpt-4o", Outcome: OutcomeSuccess, Severity: SeverityInfo, ClientIP: "203.0.xxx.xxx",
		RequestID: "req_0123456789abcdef01234567",
		Details: map[string]any{"endpoint": "/v1/chat/completions", "status": int64(200), "cost_picousd": int64(6500000000),
			"nested": map[string]any{"b": []any{"x<y", true, nil, int64(-3)}, "a": "é\u2028\"q\"", "z": map[string]any{}},
			"empty":  []any{}}}
	const (
		wantDetails = `{"cost_picousd":6500000000,"empty":[],"endpoint":"/v1/chat/completions",` +
			`"nested":{"a":"é\u2028\"q\"","b":["x\u003cy",true,null,-3],"z":{}},"status":200}`
		wantHash = "0940b23a4caa60ba0893646404d2623b3019362d4fcc57a03c53c2b8258cbf8b"
	)
	d, err := canonicalDetails(nil, e.Details)
	if err != nil || string(d) != wantDetails {
		t.Fatalf("details = %s, %v; want %s", d, err, wantDetails)
	}
	var hs hasher
	hs.hash(zeroHash, 1, &Event{Action: "reuse", Details: map[string]any{"k": "a much longer value than the next"}}, []byte(`{}`))
	if h := hs.hash(zeroHash, 7, &e, d); hex.EncodeToString(h[:]) != wantHash {
		t.Errorf("hash = %x, want %s", h, wantHash)
	}
}

// FuzzCanonicalDetails checks that canonicalDetails writes what
// encoding/json writes for any details prepare can leave.
func FuzzCanonicalDetails(f *testing.F) {
	for _, s := range []string{"", "plain", "x<y>&z", "tab\there", "é", "\u2028", "\xff\xfe", `"quoted" \back`, "\x00\x1f\x7f"} {
		f.Add(s, "key", int64(-42), true)
	}
	f.Fuzz(func(t *testing.T, s, k string, n int64, b bool) {
		d := SanitizeValue(SanitizerFunc(func(s string) string { return s }), map[string]any{
			k: s, s: n, "bool": b, "nil": nil, "list": []any{s, n, b, nil, map[string]any{k: []string{s}}},
			"map": map[string]any{s: map[string]any{}, k: []any{}}, "nested": map[string]string{k: s},
			"many": map[string]any{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9, s: 10},
		}).(map[string]any)
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := canonicalDetails(nil, d); err != nil || string(got) != string(want) {
			t.Errorf("canonicalDetails = %s, %v\nencoding/json  = %s", got, err, want)
		}
	})
}

// TestCanonicalDetailsOfStoredRows covers the values Verify reads back
// (json.Number), which go to encoding/json.
func TestCanonicalDetailsOfStoredRows(t *testing.T) {
	const stored = `{"a": 1.5e3, "b": [1, "x"], "c": {"d": -0}}`
	d, err := decodeDetails(stored)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(d)
	if got, err := canonicalDetails(nil, d); err != nil || string(got) != string(want) {
		t.Errorf("canonicalDetails = %s, %v; want %s", got, err, want)
	}
}
