// Command aigw-guard-eval measures the guardrail engine on a labelled corpus
// under a policy (bfsi-strict by default) and prints precision, recall and F1
// per detector and the false-positive rate on benign text.
//
//	aigw-guard-eval [-corpus internal/guard/testdata/corpus.jsonl]
//	                [-config configs/guardrails.yaml] [-policy bfsi-strict]
//	                [-terms internal/guard/testdata/terms.txt] [-v]
//	aigw-guard-eval -learned [-data internal/guard/textclass/data] [-config ...] [-v] [-without new|src,...]
//
// With -learned it measures the attack (injection ∪ jailbreak), financial
// advice and toxicity detectors on the learned classifier's data, under both
// bfsi-strict and bfsi-standard: on the held-out split (sources the model was
// neither trained nor tuned on) beside the in-corpus training split.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/guard/guardeval"
	"github.com/aigw/aigw/internal/guard/textclass/dataset"
)

type config struct {
	corpus, policies, policy, terms string
	verbose, learned                bool
	data                            string
	without                         string
}

func main() {
	var c config
	flag.StringVar(&c.corpus, "corpus", "internal/guard/testdata/corpus.jsonl", "labelled corpus (JSON lines)")
	flag.StringVar(&c.policies, "config", "configs/guardrails.yaml", "guardrail policies file")
	flag.StringVar(&c.policy, "policy", "bfsi-strict", "policy or template to evaluate")
	flag.StringVar(&c.terms, "terms", "internal/guard/testdata/terms.txt", "tenant confidential terms, one per line (empty: none)")
	flag.BoolVar(&c.verbose, "v", false, "list every case whose prediction differs from its labels (with -learned: figures per source)")
	flag.BoolVar(&c.learned, "learned", false, "measure the learned detectors on held-out and training sources")
	flag.StringVar(&c.data, "data", "internal/guard/textclass/data", "with -learned: the classifier's data directory")
	flag.StringVar(&c.without, "without", "", "with -learned: also report the held-out split without these sources (comma-separated; \"new\": the held-out sources the fourth pass added)")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "aigw-guard-eval:", err)
		os.Exit(1)
	}
}

func run(_ context.Context, c config) error {
	policies, err := guard.LoadPolicies(c.policies)
	if err != nil {
		return err
	}
	p, ok := policies[c.policy]
	if !ok {
		return fmt.Errorf("policy %q not found in %q", c.policy, c.policies)
	}
	var terms []string
	if c.terms != "" {
		if terms, err = guardeval.ReadTerms(c.terms); err != nil {
			return err
		}
	}
	e, err := guard.NewEngine(guard.Options{Terms: terms})
	if err != nil {
		return err
	}
	if c.learned {
		return runLearned(c, policies)
	}
	cases, err := guardeval.ReadCorpus(c.corpus)
	if err != nil {
		return err
	}
	fmt.Printf("policy %s, corpus %s\n", c.policy, c.corpus)
	guardeval.Evaluate(e, p, cases).Write(os.Stdout, c.verbose)
	return nil
}

func runLearned(c config, policies map[string]*guard.Policy) error {
	e, err := guard.NewEngine(guard.Options{})
	if err != nil {
		return err
	}
	all, err := dataset.Load(c.data)
	if err != nil {
		return err
	}
	train, test := dataset.SplitBy(all)
	drop := map[string]bool{}
	for _, s := range strings.Split(c.without, ",") {
		switch s = strings.TrimSpace(s); s {
		case "":
		case "new":
			for _, n := range dataset.NewHeldOut {
				drop[n] = true
			}
		default:
			if sp, ok := dataset.SourceSplit(s); !ok || sp != dataset.Test {
				return fmt.Errorf("-without %q: not a held-out source", s)
			}
			drop[s] = true
		}
	}
	for _, name := range []string{"bfsi-strict", "bfsi-standard"} {
		p, ok := policies[name]
		if !ok {
			return fmt.Errorf("policy %q not found in %q", name, c.policies)
		}
		fmt.Printf("== %s, HELD-OUT split (sources never trained or tuned on)\n", name)
		guardeval.EvaluateExamples(e, p, test).Write(os.Stdout, c.verbose)
		if len(drop) > 0 {
			var rest []dataset.Example
			for _, x := range test {
				if !drop[x.Source] {
					rest = append(rest, x)
				}
			}
			fmt.Printf("\n== %s, HELD-OUT split without %s\n", name, strings.Join(sortedKeys(drop), ", "))
			guardeval.EvaluateExamples(e, p, rest).Write(os.Stdout, false)
		}
		fmt.Printf("\n== %s, in-corpus (training split)\n", name)
		guardeval.EvaluateExamples(e, p, train).Write(os.Stdout, c.verbose)
		fmt.Println()
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
