// Command aigw-guard-train trains the guardrail engine's text classifier
// (package internal/guard/textclass) from the data committed under
// internal/guard/textclass/data and the generated families of package
// dataset, and writes the quantised model that the engine embeds.
//
//	aigw-guard-train [-data internal/guard/textclass/data]
//	                 [-out internal/guard/textclass/model.bin.gz] [-epochs 6] [-seed 1]
//	aigw-guard-train -dev-report [-v] [flags to compare]
//
// Only the training split is used. Each label's two operating points are
// read off a pass-1 model's scores on examples it was not fitted on: by
// default a 15% hash sample of the training split (F2 / F0.5 optimum above a
// precision floor, then a benign budget on the sample's ordinary texts); for
// the attack heads' bfsi-standard point, the dev sources (devSources) scored
// by a model fitted without them (-lso-heads, -lso-points), so that point's
// precision is that of unseen text. The final model is then fitted on the
// whole training split and keeps those thresholds. -dev-report writes no
// model: it builds one the same way without the dev sources and ConvAbuse
// and prints what it does on them, the measure data, features and
// operating-point rules are chosen on: first the ranking apart from any
// operating point (the most recall at 0.95 and 0.99 precision over every
// threshold, and the AUC), then both operating points. The held-out split is never read
// here. Training is deterministic for a seed.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"

	"github.com/aigw/aigw/internal/guard/textclass"
	"github.com/aigw/aigw/internal/guard/textclass/dataset"
)

type config struct {
	data, out              string
	corpus                 string
	epochs                 int
	seed                   uint64
	l2, lr                 float64
	strictFPR, standardFPR float64
	calibrate              string
	sourceCap              float64
	strictPrecision        float64
	strictPrecisionAttack  float64
	strictBenign           float64
	benignOn               string
	standardPrecision      float64
	corpusWeight           float64
	devReport              bool
	lsoHeads               string
	lsoPrecision           float64
	lsoPoints              string
	devFold                int
	standardPrecisionAtk   float64
	standardRule           string
	verbose                bool
}

func main() {
	var c config
	flag.StringVar(&c.data, "data", "internal/guard/textclass/data", "directory of corpus samples (*.jsonl)")
	flag.StringVar(&c.corpus, "corpus", "internal/guard/testdata/corpus.jsonl", "the engine's labelled corpus, a training source (empty: none)")
	flag.StringVar(&c.out, "out", "internal/guard/textclass/model.bin.gz", "model file to write")
	flag.IntVar(&c.epochs, "epochs", 6, "passes over the training windows")
	flag.Uint64Var(&c.seed, "seed", 1, "shuffle seed")
	flag.Float64Var(&c.l2, "l2", 3e-3, "L2 penalty per example")
	flag.Float64Var(&c.lr, "lr", 0.5, "AdaGrad learning rate")
	flag.Float64Var(&c.corpusWeight, "corpus-weight", 3, "weight of the hand-written hard negatives: the engine corpus's benign cases and the generated hard negatives")
	flag.Float64Var(&c.strictFPR, "strict-fpr", 0.005, "share of dev negatives the bfsi-strict (recall-leaning) operating point may flag")
	flag.Float64Var(&c.standardFPR, "standard-fpr", 0.0015, "share of dev negatives the bfsi-standard (precision-leaning) operating point may flag")
	flag.Float64Var(&c.strictPrecision, "strict-precision", 0.95, "with -calibrate sample: precision floor of the bfsi-strict operating point")
	flag.Float64Var(&c.strictPrecisionAttack, "strict-precision-attack", 0.97, "with -calibrate sample: precision floor of the bfsi-strict point of the attack and jailbreak heads (the issue asks attack precision >= 0.95 on held-out text; the sample, rich in generated attacks, overstates precision)")
	flag.Float64Var(&c.strictBenign, "strict-benign", 0.004, "benign budget of the bfsi-strict operating point: the share of the real (not generated) benign texts of the dev sources, scored by a model fitted without the dev sources, that a head's strict threshold may flag (0: no budget)")
	flag.StringVar(&c.benignOn, "benign-on", "sample", "where -strict-benign is read: sample (real benign texts of the threshold sample, by the pass-1 model) or dev (real benign texts of the dev sources, by a model fitted without them)")
	flag.Float64Var(&c.standardPrecision, "standard-precision", 0.98, "with -calibrate sample: precision floor of the bfsi-standard operating point (0.98: chosen on -dev-report, where 0.99 left standard toxicity at F1 0.355 against 0.416)")
	flag.Float64Var(&c.sourceCap, "source-cap", 0, "weigh each source as if it had at most this many examples (0: no cap)")
	flag.StringVar(&c.calibrate, "calibrate", "sample", "where the operating points are chosen: sample (a 15% sample of the training split, F2 / F0.5 optimum with a precision floor), lso (the same rules read on the dev sources, scored by a model fitted without them) or dev (the dev sources, false-positive budgets)")
	flag.BoolVar(&c.devReport, "dev-report", false, "write no model: build one without the dev sources and ConvAbuse and print its precision, recall and benign hits on them at both operating points (a source-disjoint measure inside the training split, for choosing)")
	flag.Float64Var(&c.standardPrecisionAtk, "standard-precision-attack", 0.98, "with -calibrate sample: precision floor of the bfsi-standard point of the attack and jailbreak heads (0: -standard-precision); one point above the strict floor, chosen on -dev-report")
	flag.StringVar(&c.standardRule, "standard-rule", "recall", "with -calibrate sample: how the bfsi-standard point is picked among thresholds meeting its precision floor: f05 (F0.5 optimum) or recall (the most recall)")
	flag.BoolVar(&c.verbose, "v", false, "with -dev-report: false positives per head and source at the strict point")
	flag.StringVar(&c.lsoHeads, "lso-heads", "attack,jailbreak", "with -calibrate sample: heads (comma-separated names) whose operating points are read as with -calibrate lso")
	flag.IntVar(&c.devFold, "dev-fold", 1, "with -dev-report: 1 leaves out the dev sources and ConvAbuse, 2 the second set (devSources2: other generated families, JBB GCG, Wikipedia comments, TOXIGEN, NLU++, GSM8K)")
	flag.StringVar(&c.lsoPoints, "lso-points", "standard", "with -lso-heads: which operating points of those heads are read on unseen sources: standard, or both")
	flag.Float64Var(&c.lsoPrecision, "lso-precision-attack", 0.95, "with -calibrate lso (or -lso-heads): precision floor of the attack heads' bfsi-strict point, read on unseen sources")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "aigw-guard-train:", err)
		os.Exit(1)
	}
}

// target returns the example's target for a head, or -1 when the head does not train on it.
func target(x dataset.Example, head int) float64 {
	switch head {
	case textclass.Attack:
		return b2f(x.IsAttack())
	case textclass.Jailbreak:
		if !x.IsAttack() {
			return -1
		}
		return b2f(x.Label == dataset.Jailbreak)
	case textclass.Advice:
		if x.Output {
			return -1
		}
		return b2f(x.Label == dataset.Advice)
	case textclass.AdviceOut:
		if !x.Output {
			return -1
		}
		return b2f(x.Label == dataset.Advice)
	case textclass.Toxicity:
		return b2f(x.Label == dataset.Toxicity)
	}
	return -1
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

type window struct {
	rows []uint32
	x    float64 // feature value: 1/sqrt(tokens)
	ex   int
}

// devSources are the training sources the operating points are chosen on
// (by a model fitted without them): for each label, positives and negatives
// of a kind the rest of the training split does not have.
var devSources = map[string]bool{
	"gen_indirect_a": true, "gen_persona_a": true, "jbb_rs": true, // attacks
	"fiqa_weak": true, "gen_advice_ans_a": true, "gen_answer_a": true, // advice
	"surge_toxicity": true, "gen_insult_a": true, // toxicity
	"banking77": true, "t0_prompts": true, "self_instruct": true, "gsm8k_answers": true, // benign
}

// devSources2 stand in for devSources with -calibrate lso inside -dev-report,
// whose build has no dev source to read operating points on.
var devSources2 = map[string]bool{
	"gen_indirect2_a": true, "gen_roleplay2_a": true, "jbb_gcg": true, // attacks
	"gen_advice_req_a": true,                                         // advice
	"wiki_toxicity":    true, "gen_insult2_a": true, "toxigen": true, // toxicity
	"nlupp_banking": true, "gsm8k": true, // benign
}

// ordinarySources are the real (not generated) training sources of ordinary
// requests and answers, the text a benign budget is about. Benign texts of the
// toxicity and attack collections (non-hateful HateCheck cases, bare harmful
// goals, ConvAbuse, Davidson, Surge) are hard negatives, not ordinary prompts.
var ordinarySources = map[string]bool{
	"banking77": true, "nlupp_banking": true, "self_instruct": true, "t0_prompts": true,
	"gsm8k": true, "gsm8k_answers": true,
}

// fitModel fits every head on exs and quantises the weights.
func fitModel(c config, exs []dataset.Example) *textclass.Model {
	var wins []window
	for i, x := range exs {
		textclass.WindowFeatures(x.Text, x.Output, func(rows []uint32, tokens int) {
			if tokens == 0 {
				return
			}
			wins = append(wins, window{rows: rows, x: 1 / math.Sqrt(float64(max(tokens, textclass.MinNorm))), ex: i})
		})
	}
	m := &textclass.Model{W: make([]int8, textclass.TableSize*textclass.NumLabels)}
	for head := 0; head < textclass.NumLabels; head++ {
		w, bias := fitHead(c, wins, exs, head)
		quantise(m, w, bias, head)
	}
	return m
}

func run(c config) error {
	all, err := dataset.Load(c.data)
	if err != nil {
		return err
	}
	if c.corpus != "" {
		xs, err := dataset.LoadCorpus(c.corpus)
		if err != nil {
			return err
		}
		all = append(all, xs...)
	}
	train, _ := dataset.SplitBy(all)
	fmt.Printf("training split: %d examples; %d held-out examples untouched\n", len(train), len(all)-len(train))
	if c.devReport {
		return devReport(c, train)
	}
	m := build(c, train, true, devSources)
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(c.out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes)\n", c.out, buf.Len())
	return nil
}

// build fits the model on train and sets its operating points (see the
// package comment); log prints the steps.
func build(c config, train []dataset.Example, log bool, calib map[string]bool) *textclass.Model {
	logf := func(format string, args ...any) {
		if log {
			fmt.Printf(format, args...)
		}
	}
	lso := map[int]bool{}
	for _, name := range strings.Split(c.lsoHeads, ",") {
		for head, n := range textclass.LabelNames {
			if strings.TrimSpace(name) == n {
				lso[head] = true
			}
		}
	}
	mode := c.calibrate
	cals := map[string]*calibration{}
	for head := 0; head < textclass.NumLabels; head++ {
		md := mode
		if mode == "sample" && lso[head] {
			md = "lso"
		}
		if cals[md] == nil {
			cals[md] = newCalibration(c, md, train, calib, logf)
		}
	}
	m := fitModel(c, train)
	for head := 0; head < textclass.NumLabels; head++ {
		md := mode
		if mode == "sample" && lso[head] {
			md = "lso"
		}
		cal := cals[md]
		if md == "dev" {
			m.Strict[head], m.Standard[head] = operatingPoints(c, cal.m, cal.dev, head)
		} else {
			m.Strict[head], m.Standard[head] = fbetaPoints(c, cal.m, cal.dev, head, md == "lso")
		}
		if cal.mb != nil && head != textclass.Jailbreak {
			if t, n := benignBudget(cal.mb, cal.benign, head, c.strictBenign); t > m.Strict[head] {
				logf("%-10s strict %.3f raised to %.3f: the benign budget on %d texts (%s)\n",
					textclass.LabelNames[head], m.Strict[head], t, n, md)
				m.Strict[head] = t
				m.Standard[head] = max(m.Standard[head], t)
			}
		}
		if md == "lso" && c.lsoPoints == "standard" {
			// only the standard point is read on unseen sources; the strict
			// one comes from the sample, as for the other heads
			std := m.Standard[head]
			sc := cals["sample"]
			if sc == nil {
				sc = newCalibration(c, "sample", train, calib, logf)
				cals["sample"] = sc
			}
			m.Strict[head], _ = fbetaPoints(c, sc.m, sc.dev, head, false)
			if sc.mb != nil && head != textclass.Jailbreak {
				if t, _ := benignBudget(sc.mb, sc.benign, head, c.strictBenign); t > m.Strict[head] {
					m.Strict[head] = t
				}
			}
			m.Standard[head] = max(std, m.Strict[head])
			md = "strict: sample, standard: lso"
		}
		logf("%-10s scale %.4f bias %+.3f  thresholds (%s) strict %.3f standard %.3f\n",
			textclass.LabelNames[head], m.Scale[head], m.Bias[head], md, m.Strict[head], m.Standard[head])
	}
	return m
}

// calibration is what a head's operating points are read from: a model
// fitted without some examples (m), those examples (dev), and the model and
// real benign texts the benign budget is read on.
type calibration struct {
	m, mb  *textclass.Model
	dev    []dataset.Example
	benign []dataset.Example
}

// newCalibration fits the pass-1 model of a calibration mode: sample (a 15%
// hash sample of the training split held out), lso (the calib sources held
// out: the points are then read on sources the model has not seen) or dev
// (the dev sources held out, false-positive budgets).
func newCalibration(c config, mode string, train []dataset.Example, calib map[string]bool, logf func(string, ...any)) *calibration {
	var fit, dev []dataset.Example
	for _, x := range train {
		if mode == "sample" && inSample(x.Text) || mode == "lso" && calib[x.Source] || mode == "dev" && devSources[x.Source] {
			dev = append(dev, x)
		} else {
			fit = append(fit, x)
		}
	}
	logf("pass 1 (%s): fitting on %d examples, choosing thresholds on %d\n", mode, len(fit), len(dev))
	cal := &calibration{m: fitModel(c, fit), dev: dev}
	for head := 0; head < textclass.NumLabels; head++ {
		logf("  %s %-10s AUC %.4f\n", mode, textclass.LabelNames[head], devAUC(cal.m, dev, head))
	}
	if c.strictBenign <= 0 {
		return cal
	}
	// the benign budget is read on real benign text of ordinary requests
	// and answers (the sample's, or the dev sources' by a model fitted
	// without them)
	if c.benignOn == "sample" || mode == "lso" {
		cal.mb = cal.m
		for _, x := range dev {
			if ordinarySources[x.Source] && x.Label == dataset.Benign {
				cal.benign = append(cal.benign, x)
			}
		}
		logf("benign budget (%s): reading %d real benign texts\n", mode, len(cal.benign))
		return cal
	}
	var rest []dataset.Example
	for _, x := range train {
		switch {
		case !devSources[x.Source]:
			rest = append(rest, x)
		case ordinarySources[x.Source] && x.Label == dataset.Benign:
			cal.benign = append(cal.benign, x)
		}
	}
	logf("benign budget: fitting on %d examples, reading %d real benign dev texts\n", len(rest), len(cal.benign))
	cal.mb = fitModel(c, rest)
	return cal
}

// reportSources are the training sources -dev-report leaves out: the dev
// sources and ConvAbuse (real abuse aimed at chatbots).
func reportSource(c config, src string) bool {
	if c.devFold == 2 {
		return devSources2[src]
	}
	return devSources[src] || src == "convabuse"
}

// devReport builds a model, operating points included, without the report
// sources and prints what it does on them: a source-disjoint measure inside
// the training split, read to choose data, features and operating-point
// rules without looking at the held-out split.
func devReport(c config, train []dataset.Example) error {
	var rest, dev []dataset.Example
	for _, x := range train {
		if reportSource(c, x.Source) {
			dev = append(dev, x)
		} else {
			rest = append(rest, x)
		}
	}
	calib := devSources2
	if c.devFold == 2 {
		calib = devSources
	}
	m := build(c, rest, false, calib)
	fmt.Printf("dev report: built on %d examples, measured on %d of the report sources\n", len(rest), len(dev))
	// the ranking, apart from the operating points: the most recall a
	// threshold read on the report sources themselves would give at 0.95
	// and 0.99 precision, and the AUC
	fmt.Printf("  ranking ")
	for _, head := range []int{textclass.Attack, textclass.Advice, textclass.Toxicity} {
		r95, r99 := recallAt(m, dev, head, 0.95), recallAt(m, dev, head, 0.99)
		fmt.Printf("  %s R@P.95 %.3f R@P.99 %.3f AUC %.4f", textclass.LabelNames[head], r95, r99, devAUC(m, dev, head))
	}
	fmt.Println()
	for _, pt := range []string{"strict", "standard"} {
		type prf struct{ tp, fp, fn int }
		var heads [textclass.NumLabels]prf
		var benign, benignHit, ordinary, ordinaryHit int
		fpBy := map[string]int{}
		for _, x := range dev {
			s := m.Score(x.Text, x.Output)
			hit := false
			for _, head := range []int{textclass.Attack, textclass.Advice, textclass.AdviceOut, textclass.Toxicity} {
				t := m.Strict[head]
				if pt == "standard" {
					t = m.Standard[head]
				}
				y := target(x, head)
				if y < 0 {
					continue
				}
				on := s[head].Prob >= float64(t)
				hit = hit || on
				h := head
				if h == textclass.AdviceOut {
					h = textclass.Advice
				}
				switch {
				case on && y == 1:
					heads[h].tp++
				case on:
					heads[h].fp++
					if pt == "strict" {
						fpBy[textclass.LabelNames[h]+" "+x.Source]++
					}
				case y == 1:
					heads[h].fn++
				}
			}
			if x.Label == dataset.Benign {
				benign++
				if hit {
					benignHit++
				}
				if ordinarySources[x.Source] {
					ordinary++
					if hit {
						ordinaryHit++
					}
				}
			}
		}
		fmt.Printf("  %-8s", pt)
		for _, head := range []int{textclass.Attack, textclass.Advice, textclass.Toxicity} {
			h := heads[head]
			p := float64(h.tp) / math.Max(1, float64(h.tp+h.fp))
			r := float64(h.tp) / math.Max(1, float64(h.tp+h.fn))
			f := 2 * p * r / math.Max(1e-9, p+r)
			fmt.Printf("  %s P %.3f R %.3f F1 %.3f", textclass.LabelNames[head], p, r, f)
		}
		fmt.Printf("  benign hit %.2f%% (ordinary %.2f%%)\n", 100*float64(benignHit)/math.Max(1, float64(benign)),
			100*float64(ordinaryHit)/math.Max(1, float64(ordinary)))
		if pt == "strict" && c.verbose {
			for _, k := range sortedKeys(fpBy) {
				fmt.Printf("    false positives %-32s %d\n", k, fpBy[k])
			}
		}
	}
	return nil
}

// fitHead fits one head's logistic regression with AdaGrad.
func fitHead(c config, wins []window, exs []dataset.Example, head int) ([]float64, float64) {
	var pos, neg float64
	for _, w := range wins {
		switch target(exs[w.ex], head) {
		case 1:
			pos++
		case 0:
			neg++
		}
	}
	// no source outweighs -source-cap examples: large collections (banking
	// queries, templated hate-speech tests) would otherwise set the weights
	srcN := map[string]float64{}
	for _, x := range exs {
		srcN[x.Source]++
	}
	srcW := func(src string) float64 {
		if c.sourceCap <= 0 {
			return 1
		}
		return math.Min(1, c.sourceCap/srcN[src])
	}
	posW := 1.0
	if pos > 0 {
		posW = math.Min(3, math.Max(1, neg/pos/2))
	}
	w := make([]float64, textclass.TableSize)
	g2 := make([]float64, textclass.TableSize)
	var bias, bg2 float64
	order := make([]int, len(wins))
	for i := range order {
		order[i] = i
	}
	r := rand.New(rand.NewPCG(c.seed, uint64(head)))
	for ep := 0; ep < c.epochs; ep++ {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			win := wins[i]
			y := target(exs[win.ex], head)
			if y < 0 {
				continue
			}
			z := bias
			for _, row := range win.rows {
				z += w[row] * win.x
			}
			p := 1 / (1 + math.Exp(-z))
			g := p - y
			if y == 1 {
				g *= posW
			}
			g *= srcW(exs[win.ex].Source)
			if src := exs[win.ex].Source; y == 0 && (src == dataset.CorpusSource || src == "gen_hardneg_a" || src == "gen_hardneg_tox_a" || src == "gen_hardneg_group_a" || src == "gen_hardneg_attack_a") {
				g *= c.corpusWeight // hard negatives weigh more
			}
			bg2 += g * g
			bias -= c.lr * g / math.Sqrt(bg2+1e-8)
			for _, row := range win.rows {
				gi := g*win.x + c.l2*w[row]
				g2[row] += gi * gi
				w[row] -= c.lr * gi / math.Sqrt(g2[row]+1e-8)
			}
		}
	}
	return w, bias
}

// quantise stores a head's weights as int8 with one scale.
func quantise(m *textclass.Model, w []float64, bias float64, head int) {
	var mx float64
	for _, v := range w {
		mx = math.Max(mx, math.Abs(v))
	}
	if mx == 0 {
		mx = 1
	}
	scale := mx / 127
	for i, v := range w {
		q := math.Round(v / scale)
		m.W[i*textclass.NumLabels+head] = int8(math.Max(-127, math.Min(127, q)))
	}
	m.Scale[head] = float32(scale)
	m.Bias[head] = float32(bias)
}

// operatingPoints picks a head's two thresholds from the scores of the
// pass-1 model on the dev examples: the lowest threshold that flags at most
// a share fpr of the dev negatives, for the strict and the standard budget.
// A false-positive budget, unlike an F-score optimum, does not depend on how
// many positives the dev sources happen to hold, and it is what bounds the
// share of benign text with a finding.
func operatingPoints(c config, m *textclass.Model, dev []dataset.Example, head int) (float32, float32) {
	var neg []float64
	for _, x := range dev {
		if target(x, head) == 0 {
			neg = append(neg, m.Score(x.Text, x.Output)[head].Prob)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(neg)))
	at := func(fpr float64) float32 {
		if len(neg) == 0 {
			return 0.5
		}
		k := int(fpr * float64(len(neg))) // negatives allowed above the threshold
		t := neg[min(k, len(neg)-1)]
		t = math.Nextafter(t, 1) // strictly above the (k+1)-th highest negative
		return float32(math.Max(0.05, math.Min(0.99, t)))
	}
	return at(c.strictFPR), at(c.standardFPR)
}

// benignBudget returns the lowest threshold at which a head flags at most a
// share budget of the benign texts it applies to (model input or output), and
// how many texts that was read on.
func benignBudget(m *textclass.Model, benign []dataset.Example, head int, budget float64) (float32, int) {
	var ps []float64
	for _, x := range benign {
		if target(x, head) == 0 {
			ps = append(ps, m.Score(x.Text, x.Output)[head].Prob)
		}
	}
	if len(ps) == 0 {
		return 0, 0
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(ps)))
	k := int(budget * float64(len(ps))) // texts allowed above the threshold
	t := math.Nextafter(ps[min(k, len(ps)-1)], 1)
	return float32(math.Max(0.05, math.Min(0.99, t))), len(ps)
}

// inSample picks 15% of the training split by a hash of the text.
func inSample(text string) bool {
	h := fnv.New32a()
	h.Write([]byte(text))
	return h.Sum32()%100 < 15
}

// fbetaPoints picks a head's thresholds on a sample of the training split:
// strict maximises F2 among thresholds whose precision reaches
// -strict-precision, standard F0.5 among those reaching -standard-precision
// (sample precision overstates precision on unlike text, hence floors near 1); each threshold is put
// halfway between the last score it keeps and the next lower one.
func fbetaPoints(c config, m *textclass.Model, val []dataset.Example, head int, lso bool) (float32, float32) {
	s, total := scored(m, val, head)
	pick := func(beta, floor float64) float32 {
		tp, fp := 0, 0
		bestF, bestT := -1.0, 0.99
		for i, e := range s {
			if e.y {
				tp++
			} else {
				fp++
			}
			if i+1 < len(s) && s[i+1].p == e.p || tp == 0 {
				continue
			}
			p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(total)
			if p < floor {
				continue
			}
			if f := (1 + beta*beta) * p * r / (beta*beta*p + r); f > bestF {
				// halfway down to the next lower score: a margin for text
				// unlike the sample, on both sides
				next := 0.0
				if i+1 < len(s) {
					next = s[i+1].p
				}
				bestF, bestT = f, (e.p+next)/2
			}
		}
		return float32(math.Max(0.05, math.Min(0.99, bestT)))
	}
	floor := c.strictPrecision
	if head == textclass.Attack || head == textclass.Jailbreak {
		floor = c.strictPrecisionAttack
		if lso {
			// read on unseen sources, precision needs no margin: the
			// issue's own target
			floor = c.lsoPrecision
		}
	}
	stdFloor := c.standardPrecision
	if c.standardPrecisionAtk > 0 && (head == textclass.Attack || head == textclass.Jailbreak) {
		stdFloor = c.standardPrecisionAtk
	}
	stdBeta := 0.5
	if c.standardRule == "recall" {
		stdBeta = 1e3 // F_beta with a huge beta ranks by recall alone
	}
	strict, std := pick(2, floor), pick(stdBeta, stdFloor)
	return strict, max(strict, std)
}

// devAUC is the area under the ROC curve of a head on the dev examples: how
// well the model fitted without them ranks them (model selection reads it).
func devAUC(m *textclass.Model, dev []dataset.Example, head int) float64 {
	s, total := scored(m, dev, head)
	pos, neg := float64(total), float64(len(s)-total)
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	sort.Slice(s, func(i, j int) bool { return s[i].p < s[j].p })
	var rankSum float64
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j].p == s[i].p {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks are 1-based
		for k := i; k < j; k++ {
			if s[k].y {
				rankSum += avg
			}
		}
		i = j
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

func sortedKeys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// recallAt is the most recall of a head on exs at precision >= floor, over
// every threshold (advice: in prompts).
func recallAt(m *textclass.Model, exs []dataset.Example, head int, floor float64) float64 {
	s, total := scored(m, exs, head)
	tp, fp, best := 0, 0, 0
	for i, e := range s {
		if e.y {
			tp++
		} else {
			fp++
		}
		if i+1 < len(s) && s[i+1].p == e.p {
			continue
		}
		if float64(tp) >= floor*float64(tp+fp) && tp > best {
			best = tp
		}
	}
	return float64(best) / math.Max(1, float64(total))
}

// scoredExample is an example's probability under one head and whether it is
// a positive of that head.
type scoredExample struct {
	p float64
	y bool
}

// scored returns the examples of exs that head has a target for, scored by m
// and sorted by falling probability, and how many of them are positives.
func scored(m *textclass.Model, exs []dataset.Example, head int) ([]scoredExample, int) {
	var s []scoredExample
	total := 0
	for _, x := range exs {
		y := target(x, head)
		if y < 0 {
			continue
		}
		s = append(s, scoredExample{m.Score(x.Text, x.Output)[head].Prob, y == 1})
		if y == 1 {
			total++
		}
	}
	sort.Slice(s, func(i, j int) bool { return s[i].p > s[j].p })
	return s, total
}
