package guard_test

import (
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/guard/guardeval"
)

// TestCorpusTargets runs the labelled corpus under bfsi-strict and fails
// when the accuracy targets are missed: F1 >= 0.97 for every PII type,
// precision >= 0.95 for injection and jailbreak, and at most 2% of benign
// cases flagged.
func TestCorpusTargets(t *testing.T) {
	policies := shippedPolicies(t)
	terms, err := guardeval.ReadTerms("testdata/terms.txt")
	if err != nil {
		t.Fatal(err)
	}
	e, err := guard.NewEngine(guard.Options{Terms: terms})
	if err != nil {
		t.Fatal(err)
	}
	cases, err := guardeval.ReadCorpus("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 500 {
		t.Fatalf("corpus has %d cases, want 500+", len(cases))
	}
	r := guardeval.Evaluate(e, policies["bfsi-strict"], cases)
	for _, id := range guard.Detectors() {
		s := r.PerDetector[id]
		if s.TP+s.FN == 0 {
			t.Errorf("%s: no labelled cases in the corpus", id)
		}
		if strings.HasPrefix(id, "pii.") && s.F1() < 0.97 {
			t.Errorf("%s: F1 %.3f < 0.97 (TP %d FP %d FN %d)", id, s.F1(), s.TP, s.FP, s.FN)
		}
	}
	for _, id := range []string{guard.DetectorInjection, guard.DetectorJailbreak} {
		if p := r.PerDetector[id].Precision(); p < 0.95 {
			t.Errorf("%s: precision %.3f < 0.95", id, p)
		}
	}
	if fp := r.BenignFPRate(); fp > 0.02 {
		t.Errorf("benign false-positive rate %.2f%% > 2%%", 100*fp)
	}
	if t.Failed() || testing.Verbose() {
		var b strings.Builder
		r.Write(&b, true)
		t.Log("\n" + b.String())
	}
}

// TestPIIHeldOut runs the held-out PII batches (testdata/piiheldout: their
// own generator, seeds and templates, apart from the tuning corpus) under
// both BFSI policies and fails below F1 0.98 for any PII type or above 2%
// of benign cases flagged. Batch 1 was used to fix the engine after its
// first contact; batches 2 and 3 (by hand) were written afterwards (see the
// testdata README).
func TestPIIHeldOut(t *testing.T) {
	policies := shippedPolicies(t)
	e := shippedEngine(t)
	for _, file := range []string{"testdata/pii-heldout.jsonl", "testdata/pii-heldout2.jsonl", "testdata/pii-heldout3.jsonl"} {
		cases, err := guardeval.ReadCorpus(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, policy := range []string{"bfsi-strict", "bfsi-standard"} {
			r := guardeval.Evaluate(e, policies[policy], cases)
			for _, id := range guard.Detectors() {
				s := r.PerDetector[id]
				if strings.HasPrefix(id, "pii.") && s.F1() < 0.98 {
					t.Errorf("%s %s: %s F1 %.3f < 0.98 (TP %d FP %d FN %d)", file, policy, id, s.F1(), s.TP, s.FP, s.FN)
				}
			}
			if fp := r.BenignFPRate(); fp > 0.02 {
				t.Errorf("%s %s: benign false-positive rate %.2f%% > 2%%", file, policy, 100*fp)
			}
			if t.Failed() || testing.Verbose() {
				var b strings.Builder
				r.Write(&b, true)
				t.Logf("%s %s\n%s", file, policy, b.String())
			}
		}
	}
}
