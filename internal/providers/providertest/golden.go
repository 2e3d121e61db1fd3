// Package providertest holds the golden-file helper of the provider
// adapters' tests.
package providertest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of the translation tests")

// Golden compares got with the golden file at path (JSON is compared
// indented, SSE as is); with -update it rewrites the file.
func Golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if json.Valid(got) {
		var out bytes.Buffer
		if err := json.Indent(&out, got, "", "  "); err != nil {
			t.Fatal(err)
		}
		got = append(out.Bytes(), '\n')
	}
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// Read returns the file at path or fails the test.
func Read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
