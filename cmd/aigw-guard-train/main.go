// Command aigw-guard-train trains the guardrail engine's text classifier
// (package internal/guard/textclass) from the data committed under
// internal/guard/textclass/data and the generated families of package
// dataset, and writes the quantised model that the engine embeds.
//
//	aigw-guard-train [-data internal/guard/textclass/data]
//	                 [-out internal/guard/textclass/model.bin.gz] [-epochs 6] [-seed 1]
//
// Only the training split is used: 85% of it to fit the weights, 15% (chosen
// by a hash of the text) to choose each label's two operating points. The
// held-out split is never read here. Training is deterministic for a seed.
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

	"github.com/aigw/aigw/internal/guard/textclass"
	"github.com/aigw/aigw/internal/guard/textclass/dataset"
)

type config struct {
	data, out                          string
	corpus                             string
	epochs                             int
	seed                               uint64
	l2, lr                             float64
	strictBeta                         float64
	standardBeta                       float64
	strictPrecision, standardPrecision float64
	corpusWeight                       float64
}

func main() {
	var c config
	flag.StringVar(&c.data, "data", "internal/guard/textclass/data", "directory of corpus samples (*.jsonl)")
	flag.StringVar(&c.corpus, "corpus", "internal/guard/testdata/corpus.jsonl", "the engine's labelled corpus, a training source (empty: none)")
	flag.StringVar(&c.out, "out", "internal/guard/textclass/model.bin.gz", "model file to write")
	flag.IntVar(&c.epochs, "epochs", 6, "passes over the training windows")
	flag.Uint64Var(&c.seed, "seed", 1, "shuffle seed")
	flag.Float64Var(&c.l2, "l2", 1e-4, "L2 penalty per example")
	flag.Float64Var(&c.lr, "lr", 0.5, "AdaGrad learning rate")
	flag.Float64Var(&c.strictBeta, "strict-beta", 2, "F-beta the bfsi-strict (recall) operating point maximises")
	flag.Float64Var(&c.standardBeta, "standard-beta", 0.5, "F-beta the bfsi-standard (precision) operating point maximises")
	flag.Float64Var(&c.strictPrecision, "strict-precision", 0.9, "validation precision the bfsi-strict operating point must reach")
	flag.Float64Var(&c.standardPrecision, "standard-precision", 0.97, "validation precision the bfsi-standard operating point must reach")
	flag.Float64Var(&c.corpusWeight, "corpus-weight", 3, "weight of the engine corpus's cases (hand-written hard cases)")
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

func isValidation(text string) bool {
	h := fnv.New32a()
	h.Write([]byte(text))
	return h.Sum32()%100 < 15
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
	var fit, val []dataset.Example
	for _, x := range train {
		if isValidation(x.Text) {
			val = append(val, x)
		} else {
			fit = append(fit, x)
		}
	}
	var wins []window
	for i, x := range fit {
		textclass.WindowFeatures(x.Text, x.Output, func(rows []uint32, tokens int) {
			if tokens == 0 {
				return
			}
			wins = append(wins, window{rows: rows, x: 1 / math.Sqrt(float64(tokens)), ex: i})
		})
	}
	fmt.Printf("training on %d examples (%d windows), validating on %d; %d held-out examples untouched\n",
		len(fit), len(wins), len(val), len(all)-len(train))

	m := &textclass.Model{W: make([]int8, textclass.TableSize*textclass.NumLabels)}
	for head := 0; head < textclass.NumLabels; head++ {
		w, bias := fitHead(c, wins, fit, head)
		quantise(m, w, bias, head)
	}
	for head := 0; head < textclass.NumLabels; head++ {
		m.Strict[head], m.Standard[head] = operatingPoints(c, m, val, head)
		fmt.Printf("%-10s scale %.4f bias %+.3f  thresholds strict %.3f standard %.3f\n",
			textclass.LabelNames[head], m.Scale[head], m.Bias[head], m.Strict[head], m.Standard[head])
	}
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
	posW := 1.0
	if pos > 0 {
		posW = math.Min(8, math.Max(1, neg/pos/2))
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
			if exs[win.ex].Source == dataset.CorpusSource {
				g *= c.corpusWeight
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

// operatingPoints picks the probability thresholds that maximise F-beta on
// the validation examples, for the strict and the standard beta.
func operatingPoints(c config, m *textclass.Model, val []dataset.Example, head int) (float32, float32) {
	type sp struct {
		p float64
		y bool
	}
	var s []sp
	for _, x := range val {
		y := target(x, head)
		if y < 0 {
			continue
		}
		s = append(s, sp{m.Score(x.Text, x.Output)[head].Prob, y == 1})
	}
	sort.Slice(s, func(i, j int) bool { return s[i].p > s[j].p })
	var total int
	for _, e := range s {
		if e.y {
			total++
		}
	}
	best := func(beta float64) float32 {
		tp, fp := 0, 0
		bestF, bestT := -1.0, 0.5
		for i, e := range s {
			if e.y {
				tp++
			} else {
				fp++
			}
			if i+1 < len(s) && s[i+1].p == e.p {
				continue
			}
			if tp == 0 || total == 0 {
				continue
			}
			p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(total)
			f := (1 + beta*beta) * p * r / (beta*beta*p + r)
			if f > bestF {
				bestF, bestT = f, e.p
			}
		}
		return float32(math.Max(0.05, math.Min(0.98, bestT)))
	}
	// the highest-recall threshold whose validation precision reaches floor
	floorT := func(floor float64) float32 {
		tp, fp := 0, 0
		t := 0.98
		for i, e := range s {
			if e.y {
				tp++
			} else {
				fp++
			}
			if i+1 < len(s) && s[i+1].p == e.p {
				continue
			}
			if tp > 0 && float64(tp)/float64(tp+fp) >= floor {
				t = e.p
			}
		}
		return float32(math.Max(0.05, math.Min(0.98, t)))
	}
	strict := max(best(c.strictBeta), floorT(c.strictPrecision))
	std := max(best(c.standardBeta), floorT(c.standardPrecision))
	if std < strict {
		std = strict
	}
	return strict, std
}
