package guard

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// BenchmarkWildText is a tool, not a benchmark: it scans real documents
// (GUARD_WILD=glob go test -run '^$' -bench WildText) and prints what the
// engine finds in them under bfsi-strict, a check for false positives on text
// the corpus does not contain. It runs only when asked with -bench.
func BenchmarkWildText(t *testing.B) {
	glob := os.Getenv("GUARD_WILD")
	if glob == "" {
		t.Skip("set GUARD_WILD to a file glob")
	}
	files, _ := filepath.Glob(glob)
	e := newTestEngine(t)
	p := loadTestPolicies(t)["bfsi-strict"]
	count := map[string]int{}
	examples := map[string][]string{}
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		text := string(data)
		total += len(text)
		for _, g := range e.Apply(text, p, Input).Findings {
			count[g.Detector]++
			if len(examples[g.Detector]) < 4 {
				lo, hi := max(0, g.Start-30), min(len(text), g.End+20)
				examples[g.Detector] = append(examples[g.Detector], strings.ReplaceAll(text[lo:hi], "\n", " "))
			}
		}
	}
	var keys []string
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("%d files, %d KB\n", len(files), total>>10)
	for _, k := range keys {
		fmt.Printf("%-32s %5d  e.g. %q\n", k, count[k], examples[k])
	}
}
