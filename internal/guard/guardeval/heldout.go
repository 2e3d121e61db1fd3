package guardeval

import (
	"fmt"
	"io"
	"sort"

	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/guard/textclass/dataset"
)

// Groups are the label groups the learned detectors are measured on:
// attacks are injection ∪ jailbreak.
var Groups = []string{"attack", "financial_advice", "toxicity"}

// groupOf maps a dataset label to its group ("" for benign).
func groupOf(label string) string {
	switch label {
	case dataset.Injection, dataset.Jailbreak:
		return "attack"
	case dataset.Advice:
		return "financial_advice"
	case dataset.Toxicity:
		return "toxicity"
	}
	return ""
}

// groupsFound returns the groups of a result's findings.
func groupsFound(res guard.Result) map[string]bool {
	out := map[string]bool{}
	for _, f := range res.Findings {
		switch f.Type {
		case guard.DetectorInjection, guard.DetectorJailbreak:
			out["attack"] = true
		case guard.DetectorFinancialAdvice, guard.DetectorToxicity:
			out[f.Type] = true
		}
	}
	return out
}

// GroupReport is the outcome of a run over dataset examples.
type GroupReport struct {
	Examples      int
	PerGroup      map[string]*Score
	Benign        int // examples labelled benign
	BenignFlagged int // benign examples with any finding, of any detector
	// PerSource counts, per source, examples and those with a finding of
	// their own group (benign: any finding).
	PerSource map[string]*[2]int
}

// BenignFPRate is the share of benign examples with any finding.
func (r *GroupReport) BenignFPRate() float64 {
	if r.Benign == 0 {
		return 0
	}
	return float64(r.BenignFlagged) / float64(r.Benign)
}

// EvaluateExamples runs dataset examples through e under p and scores each
// label group at the case level: a case is predicted for a group when Apply
// reports a finding of it.
func EvaluateExamples(e *guard.Engine, p *guard.Policy, xs []dataset.Example) *GroupReport {
	r := &GroupReport{Examples: len(xs), PerGroup: map[string]*Score{}, PerSource: map[string]*[2]int{}}
	for _, g := range Groups {
		r.PerGroup[g] = &Score{}
	}
	for _, x := range xs {
		dir := guard.Input
		if x.Output {
			dir = guard.Output
		}
		res := e.Apply(x.Text, p, dir)
		got := groupsFound(res)
		want := groupOf(x.Label)
		for _, g := range Groups {
			s := r.PerGroup[g]
			switch {
			case got[g] && want == g:
				s.TP++
			case got[g]:
				s.FP++
			case want == g:
				s.FN++
			}
		}
		ps := r.PerSource[x.Source]
		if ps == nil {
			ps = &[2]int{}
			r.PerSource[x.Source] = ps
		}
		ps[0]++
		if want == "" {
			r.Benign++
			if len(res.Findings) > 0 {
				r.BenignFlagged++
				ps[1]++
			}
		} else if got[want] {
			ps[1]++
		}
	}
	return r
}

// Write prints the report.
func (r *GroupReport) Write(w io.Writer, perSource bool) {
	fmt.Fprintf(w, "%d examples, %d benign\n", r.Examples, r.Benign)
	fmt.Fprintf(w, "%-18s %5s %5s %5s %9s %7s %7s\n", "group", "TP", "FP", "FN", "precision", "recall", "F1")
	for _, g := range Groups {
		s := r.PerGroup[g]
		fmt.Fprintf(w, "%-18s %5d %5d %5d %9.3f %7.3f %7.3f\n", g, s.TP, s.FP, s.FN, s.Precision(), s.Recall(), s.F1())
	}
	fmt.Fprintf(w, "benign with any finding: %.2f%% (%d of %d)\n", 100*r.BenignFPRate(), r.BenignFlagged, r.Benign)
	if perSource {
		srcs := make([]string, 0, len(r.PerSource))
		for s := range r.PerSource {
			srcs = append(srcs, s)
		}
		sort.Strings(srcs)
		fmt.Fprintln(w, "per source (flagged as its own label; benign sources: any finding):")
		for _, s := range srcs {
			c := r.PerSource[s]
			fmt.Fprintf(w, "  %-20s %5d of %5d\n", s, c[1], c[0])
		}
	}
}
