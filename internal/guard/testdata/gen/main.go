// Command gen writes internal/guard/testdata/corpus.jsonl, the labelled
// evaluation corpus of the guardrail engine. It generates valid identifiers
// with its own checksum code (independent of the engine's validators) and
// places them, and look-alikes that fail their checksums, in prose, JSON,
// code and logs; hand-written cases cover attacks, advice, toxicity,
// confidential text and benign banking traffic.
//
// Run from the repository root: go run ./internal/guard/testdata/gen
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

type entry struct {
	ID        string   `json:"id"`
	Text      string   `json:"text"`
	Direction string   `json:"direction"`
	Labels    []string `json:"labels"`
}

var rng = rand.New(rand.NewPCG(20241125, 7))

type corpus struct {
	out []entry
	n   map[string]int
}

func (c *corpus) add(prefix, dir, text string, labels ...string) {
	c.n[prefix]++
	if labels == nil {
		labels = []string{}
	}
	c.out = append(c.out, entry{ID: fmt.Sprintf("%s-%03d", prefix, c.n[prefix]), Text: text, Direction: dir, Labels: labels})
}

// fill expands {V} in each template with a fresh value and adds the entry.
func (c *corpus) fill(prefix string, templates []string, gen func() string, labels ...string) {
	for _, t := range templates {
		dir := "input"
		if strings.HasPrefix(t, "OUT:") {
			dir, t = "output", strings.TrimPrefix(t, "OUT:")
		}
		for strings.Contains(t, "{V}") {
			t = strings.Replace(t, "{V}", gen(), 1)
		}
		for strings.Contains(t, "{NODASH}") {
			t = strings.Replace(t, "{NODASH}", strings.ReplaceAll(gen(), "-", ""), 1)
		}
		c.add(prefix, dir, t, labels...)
	}
}

func main() {
	c := &corpus{n: map[string]int{}}
	addPII(c)
	addPIINegatives(c)
	addAttacks(c)
	addAdvice(c)
	addToxicity(c)
	addConfidential(c)
	addBenign(c)
	addMixed(c)
	addHoldout(c)
	addHoldout2(c)
	f, err := os.Create("internal/guard/testdata/corpus.jsonl")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range c.out {
		if err := enc.Encode(e); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
	fmt.Printf("wrote %d cases\n", len(c.out))
}

func digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.IntN(10))
	}
	return string(b)
}

func pick(xs ...string) string { return xs[rng.IntN(len(xs))] }

// group splits s into groups of the given sizes joined by sep.
func group(s, sep string, sizes ...int) string {
	var parts []string
	for _, n := range sizes {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	if s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, sep)
}
