package guard

import (
	"strings"
	"sync"

	"github.com/aigw/aigw/internal/guard/textclass"
)

// The learned detectors: a logistic regression per label over hashed word
// n-grams (package textclass), trained by make guard-train and embedded in
// the binary. They add findings next to the lexicon rules, with the same
// detector ids, so a policy needs no change to use them.
//
// A model probability is mapped to a finding score piecewise linearly so that
// the model's recall-leaning operating point lands on the bfsi-strict
// threshold (0.5) and its precision-leaning one on the bfsi-standard
// threshold (0.6; 0.7 for toxicity): both templates get the operating point
// they are meant to have, and any other threshold is read on the same scale.

const (
	// strictThreshold and the standardThresholds are the template thresholds
	// the operating points are mapped to (configs/guardrails.yaml).
	strictThreshold = 0.5
	// learnedMinScore is the lowest score a learned finding is reported at:
	// the bfsi-strict threshold, the model's recall-leaning operating point.
	learnedMinScore = strictThreshold
	// learnedFeatures is how many contributing features a finding carries.
	learnedFeatures = 3
)

var standardThreshold = [textclass.NumLabels]float64{
	textclass.Attack: 0.6, textclass.Advice: 0.6, textclass.AdviceOut: 0.6, textclass.Toxicity: 0.7,
}

var learnedModel struct {
	once sync.Once
	m    *textclass.Model
	err  error
}

func loadLearned() (*textclass.Model, error) {
	learnedModel.once.Do(func() { learnedModel.m, learnedModel.err = textclass.Default() })
	return learnedModel.m, learnedModel.err
}

// calibrate maps a label's probability to a finding score (see above).
func calibrate(m *textclass.Model, label int, p float64) float64 {
	lo, hi := float64(m.Strict[label]), float64(m.Standard[label])
	std := standardThreshold[label]
	if hi <= lo {
		hi = lo + 1e-3
	}
	switch {
	case p <= lo:
		return strictThreshold * p / lo
	case p <= hi:
		return strictThreshold + (std-strictThreshold)*(p-lo)/(hi-lo)
	case hi >= 1:
		return std
	default:
		return std + (1-std)*(p-hi)/(1-hi)
	}
}

// learned adds the learned detectors' findings for the whole text.
func (s *scanner) learned() {
	m, err := loadLearned()
	if err != nil || m == nil {
		return
	}
	out := s.dir == Output
	sc := m.Score(s.text, out)
	for _, label := range learnedLabels(out) {
		f, d, ok := learnedFinding(m, label, &sc, s.text, 0)
		if !ok || s.ruleFound(d) {
			continue // a rule already found it, with a span and name of its own
		}
		f.Features = explain(m, label, s.text, 0, sc[label], out, s.touchesValue)
		s.found = append(s.found, f)
	}
}

// learnedLabels are the heads that give findings, for a prompt or an answer.
func learnedLabels(out bool) [3]int {
	if out {
		return [...]int{textclass.Attack, textclass.AdviceOut, textclass.Toxicity}
	}
	return [...]int{textclass.Attack, textclass.Advice, textclass.Toxicity}
}

// learnedFinding returns the finding, without its features, that label's
// best window of sc makes, and its detector; ok is false when the score is
// under the lowest reported one or the evidence rules drop it. text holds
// the window; base is the offset of text[0] in what was scored (the
// window's offsets, and the finding's, count from there).
func learnedFinding(m *textclass.Model, label int, sc *textclass.Scores, text string, base int) (f Finding, d det, ok bool) {
	w := sc[label]
	score := calibrate(m, label, w.Prob)
	if score < learnedMinScore || w.End <= w.Start {
		return f, d, false
	}
	var name string
	switch label {
	case textclass.Attack:
		d, name = detInjection, "injection.learned"
		if sc[textclass.Jailbreak].Prob >= 0.5 {
			d, name = detJailbreak, "jailbreak.learned"
		}
	case textclass.Advice, textclass.AdviceOut:
		d, name = detAdvice, "financial_advice.learned"
	default:
		d, name = detToxicity, "toxicity.learned"
	}
	if score > 1 {
		score = 1
	}
	// evidence: a text shorter than textclass.MinNorm tokens (a short
	// command, a one-line question) is reported only at the precision-
	// leaning point, and financial advice needs a financial object
	// or act (money pot, asset, returns, buy/sell/hold) in its window
	n, finance := textclass.Evidence(text, w.Start-base, w.End-base)
	if d == detAdvice && !finance {
		return f, d, false
	}
	if n < textclass.MinNorm && score < standardThreshold[label] {
		return f, d, false
	}
	return Finding{Type: detIDs[d], Start: w.Start, End: w.End, Score: score, Detector: name}, d, true
}

// explain returns the n-grams that raised a label's score most in window w
// of text (base is the offset of text[0], as for learnedFinding), as the
// featuriser reads them; n-grams that touch a value finding (touches, in
// text's offsets) or hold '@' are left out, so no personal data is quoted.
func explain(m *textclass.Model, label int, text string, base int, w textclass.Window, out bool, touches func(start, end int) bool) []string {
	cs := m.Explain(text, w.Start-base, w.End-base, out, label, 4*learnedFeatures)
	var fs []string
	for _, c := range cs {
		if len(fs) == learnedFeatures {
			break
		}
		if touches(c.Start, c.End) || strings.ContainsRune(text[c.Start:c.End], '@') {
			continue
		}
		ft := textclass.FeatureText(text[c.Start:c.End])
		dup := false
		for _, g := range fs {
			dup = dup || g == ft
		}
		if !dup {
			fs = append(fs, ft)
		}
	}
	return fs
}

// ruleFound reports whether a rule finding of d (of either attack detector,
// for an attack) is already there.
func (s *scanner) ruleFound(d det) bool {
	for i := range s.found {
		if ruleCovers(d, s.found[i].Type) {
			return true
		}
	}
	return false
}

// ruleCovers reports whether a rule finding of type typ makes a learned
// finding of d redundant: the same detector, or any attack for an attack.
func ruleCovers(d det, typ string) bool {
	return typ == detIDs[d] || (d == detInjection || d == detJailbreak) && (typ == DetectorInjection || typ == DetectorJailbreak)
}

func (s *scanner) touchesValue(start, end int) bool {
	for i := range s.found {
		f := &s.found[i]
		if f.Start < end && start < f.End && isValueFinding(f) {
			return true
		}
	}
	return false
}
