// Package guardeval measures the guardrail engine against a labelled corpus:
// precision, recall and F1 per detector, and the false-positive rate on
// benign text. It is used by cmd/aigw-guard-eval and by the guard package's
// corpus test.
package guardeval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"sort"
	"strings"

	"github.com/aigw/aigw/internal/guard"
)

// Case is one corpus line.
type Case struct {
	ID        string   `json:"id"`
	Text      string   `json:"text"`
	Direction string   `json:"direction"` // "input" or "output"
	Labels    []string `json:"labels"`    // detector ids; empty for benign text
}

// ReadCorpus reads a JSON-lines corpus.
func ReadCorpus(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading corpus %q: %w", path, err)
	}
	defer f.Close()
	var out []Case
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("reading corpus %q line %d: %w", path, line, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading corpus %q: %w", path, err)
	}
	return out, nil
}

// ReadTerms reads tenant confidential terms, one per line ('#' comments).
func ReadTerms(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading terms %q: %w", path, err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, nil
}

// Score counts case-level outcomes for one detector.
type Score struct {
	TP, FP, FN int
}

// Precision is TP/(TP+FP); 1 when nothing was predicted.
func (s Score) Precision() float64 { return ratio(s.TP, s.TP+s.FP) }

// Recall is TP/(TP+FN); 1 when nothing was labelled.
func (s Score) Recall() float64 { return ratio(s.TP, s.TP+s.FN) }

// F1 is the harmonic mean of precision and recall.
func (s Score) F1() float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Miss is a case where prediction and labels differ.
type Miss struct {
	ID        string
	Got, Want []string
}

// Report is the outcome of a corpus run.
type Report struct {
	Cases         int
	PerDetector   map[string]*Score
	Benign        int // cases without labels
	BenignFlagged int // benign cases with any finding
	Misses        []Miss
}

// BenignFPRate is the share of benign cases with any finding.
func (r *Report) BenignFPRate() float64 {
	if r.Benign == 0 {
		return 0
	}
	return float64(r.BenignFlagged) / float64(r.Benign)
}

// Evaluate runs every case through e under policy p. A detector counts as
// predicted for a case when Apply reports a finding of it (score at or above
// the policy threshold, action other than allow).
func Evaluate(e *guard.Engine, p *guard.Policy, cases []Case) *Report {
	r := &Report{Cases: len(cases), PerDetector: map[string]*Score{}}
	for _, id := range guard.Detectors() {
		r.PerDetector[id] = &Score{}
	}
	for _, c := range cases {
		dir := guard.Input
		if c.Direction == "output" {
			dir = guard.Output
		}
		got := predicted(e.Apply(c.Text, p, dir))
		want := set(c.Labels)
		for id, s := range r.PerDetector {
			switch {
			case got[id] && want[id]:
				s.TP++
			case got[id]:
				s.FP++
			case want[id]:
				s.FN++
			}
		}
		if len(c.Labels) == 0 {
			r.Benign++
			if len(got) > 0 {
				r.BenignFlagged++
			}
		}
		if !maps.Equal(got, want) {
			r.Misses = append(r.Misses, Miss{ID: c.ID, Got: keys(got), Want: keys(want)})
		}
	}
	return r
}

func predicted(res guard.Result) map[string]bool {
	out := map[string]bool{}
	for _, f := range res.Findings {
		out[f.Type] = true
	}
	return out
}

func set(xs []string) map[string]bool {
	out := map[string]bool{}
	for _, x := range xs {
		out[x] = true
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Write prints the report as a table.
func (r *Report) Write(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "%d cases, %d benign\n\n", r.Cases, r.Benign)
	fmt.Fprintf(w, "%-18s %5s %5s %5s %9s %7s %7s\n", "detector", "TP", "FP", "FN", "precision", "recall", "F1")
	for _, id := range guard.Detectors() {
		s := r.PerDetector[id]
		fmt.Fprintf(w, "%-18s %5d %5d %5d %9.3f %7.3f %7.3f\n", id, s.TP, s.FP, s.FN, s.Precision(), s.Recall(), s.F1())
	}
	fmt.Fprintf(w, "\nbenign false-positive rate: %.2f%% (%d of %d)\n", 100*r.BenignFPRate(), r.BenignFlagged, r.Benign)
	if verbose {
		fmt.Fprintf(w, "\nmisses (%d):\n", len(r.Misses))
		for _, m := range r.Misses {
			fmt.Fprintf(w, "  %-22s got %v want %v\n", m.ID, m.Got, m.Want)
		}
	}
}
