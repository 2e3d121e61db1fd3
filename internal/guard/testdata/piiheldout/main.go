// Command piiheldout writes internal/guard/testdata/pii-heldout.jsonl, a
// held-out PII set for the guardrail engine. It shares no code, template or
// seed with ../gen (the tuning corpus): its checksums are written again from
// the public specifications (numbers.go), its cases cover issuer ranges,
// national phone formats, separators and internationalised e-mail addresses
// the tuning corpus lacks, and hand.go holds cases written by hand. The
// engine was not run on these cases while they were written.
//
// Run from the repository root: go run ./internal/guard/testdata/piiheldout
// [-batch 2|3] (pii-heldout2.jsonl, see batch2.go; pii-heldout3.jsonl, batch3.go).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

var rnd = rand.New(rand.NewPCG(31337, 2026))

type item struct {
	ID        string   `json:"id"`
	Text      string   `json:"text"`
	Direction string   `json:"direction"`
	Labels    []string `json:"labels"`
}

type set struct {
	out []item
	n   map[string]int
}

func (s *set) add(prefix, text string, labels ...string) {
	dir := "input"
	if strings.HasPrefix(text, "OUT:") {
		dir, text = "output", strings.TrimPrefix(text, "OUT:")
	}
	if labels == nil {
		labels = []string{}
	}
	s.n[prefix]++
	s.out = append(s.out, item{ID: fmt.Sprintf("ho-%s-%03d", prefix, s.n[prefix]), Text: text, Direction: dir, Labels: labels})
}

// each fills {V} in every template with a fresh value from gen.
func (s *set) each(prefix string, templates []string, gen func() string, labels ...string) {
	for _, t := range templates {
		for strings.Contains(t, "{V}") {
			t = strings.Replace(t, "{V}", gen(), 1)
		}
		s.add(prefix, t, labels...)
	}
}

func main() {
	batch := flag.Int("batch", 1, "1: pii-heldout.jsonl; 2: pii-heldout2.jsonl (its own seed); 3: pii-heldout3.jsonl (by hand)")
	flag.Parse()
	s := &set{n: map[string]int{}}
	path := "internal/guard/testdata/pii-heldout.jsonl"
	switch *batch {
	case 2:
		rnd = rand.New(rand.NewPCG(4242, 1977))
		path = "internal/guard/testdata/pii-heldout2.jsonl"
		batch2(s)
	case 3:
		path = "internal/guard/testdata/pii-heldout3.jsonl"
		batch3(s)
	default:
		addCards(s)
		addIDs(s)
		addPhones(s)
		addEmails(s)
		addOthers(s)
		addNegatives(s)
		addHand(s)
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, it := range s.out {
		if err := enc.Encode(it); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
	fmt.Printf("wrote %d cases\n", len(s.out))
}
