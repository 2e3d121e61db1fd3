// Package dataset assembles the labelled texts the guardrail classifier is
// trained and evaluated on: samples of public corpora committed under
// textclass/data (see its MANIFEST.md) and cases generated here from
// templates, grouped into sources. Every source is wholly in the training
// split or wholly in the held-out test split, so held-out figures measure
// text from collections and template families the model never saw.
package dataset

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Labels of an Example.
const (
	Injection = "injection"
	Jailbreak = "jailbreak"
	Advice    = "advice"
	Toxicity  = "toxicity"
	Benign    = "benign"
)

// Split is the part of the data a source belongs to.
type Split int

const (
	// Train sources are used to fit the model and choose its thresholds.
	Train Split = iota
	// Test sources are held out: used only to measure.
	Test
)

func (s Split) String() string {
	if s == Test {
		return "test"
	}
	return "train"
}

// Example is one labelled text.
type Example struct {
	Text   string
	Label  string // Injection, Jailbreak, Advice, Toxicity or Benign
	Output bool   // model output rather than a prompt
	Source string
}

// IsAttack reports whether the example is a prompt attack.
func (e Example) IsAttack() bool { return e.Label == Injection || e.Label == Jailbreak }

// fileSplits assigns each committed corpus sample to a split.
var fileSplits = map[string]Split{
	"jbb_gcg": Train, "jbb_rs": Train, "jbb_goals": Train, "jbb_pair": Train,
	"banking77": Train, "nlupp_banking": Train, "self_instruct": Train, "gsm8k": Train, "gsm8k_answers": Train, "t0_prompts": Train, "fiqa_weak": Train,
	"davidson": Train, "hatecheck": Train, "convabuse": Train, "surge_toxicity": Train,
	"jbb_dsn": Test, "xstest_safe": Test, "clinc_oos": Test, "openai_moderation": Test,
	// fourth pass: new real sources, each split decided before it was scored
	// (see MANIFEST.md): implicit hate and identity-term templates to train on,
	// a forum of real hate speech and instructions hidden in translation tasks
	// held out, so the held-out split measures more than one toxicity and one
	// attack collection
	"toxigen": Train, "wiki_toxicity": Train,
	"stormfront": Test, "latent_jailbreak": Test,
	// sixth pass: code and data files pasted into prompts (benign); the Go
	// tree is trained on, Python's standard library held out
	"code_go": Train, "code_py": Test,
}

// NewHeldOut are the held-out sources added since the fourth pass; the
// figures are reported with and without them (aigw-guard-eval -without), the
// latter comparable with the passes before.
var NewHeldOut = []string{"stormfront", "latent_jailbreak", "gen_hardneg_role_b", "code_py"}

// CorpusSource is the source name of the engine's own labelled corpus
// (internal/guard/testdata/corpus.jsonl), a training source.
const CorpusSource = "aigw_corpus"

// SourceSplit returns the split of a source (a data file stem or a generated family).
func SourceSplit(source string) (Split, bool) {
	if s, ok := fileSplits[source]; ok {
		return s, true
	}
	if source == CorpusSource {
		return Train, true
	}
	for _, f := range families {
		if f.name == source {
			return f.split, true
		}
	}
	return 0, false
}

// Generated reports whether a source is a generated template family (rather
// than a sample of a public corpus or the engine's own corpus).
func Generated(source string) bool {
	for _, f := range families {
		if f.name == source {
			return true
		}
	}
	return false
}

// Load reads every corpus sample under dir and adds the generated cases.
// Every source must be known to a split.
func Load(dir string) ([]Example, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []Example
	for _, p := range paths {
		src := strings.TrimSuffix(filepath.Base(p), ".jsonl")
		if _, ok := fileSplits[src]; !ok {
			return nil, fmt.Errorf("dataset: %s: source %q has no split", p, src)
		}
		xs, err := readFile(p, src)
		if err != nil {
			return nil, err
		}
		out = append(out, xs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("dataset: no *.jsonl under %s", dir)
	}
	return append(out, Generate()...), nil
}

func readFile(path, src string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	var out []Example
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var r struct {
			T string `json:"t"`
			Y string `json:"y"`
			D string `json:"d"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("dataset: %s line %d: %w", path, line, err)
		}
		switch r.Y {
		case Injection, Jailbreak, Advice, Toxicity, Benign:
		default:
			return nil, fmt.Errorf("dataset: %s line %d: unknown label %q", path, line, r.Y)
		}
		out = append(out, Example{Text: r.T, Label: r.Y, Output: r.D == "output", Source: src})
	}
	return out, sc.Err()
}

// LoadCorpus reads the engine's labelled corpus (the guardeval format: id,
// text, direction, labels as detector ids) as CorpusSource examples. A case
// labelled with an attack, advice or toxicity detector takes that label
// (jailbreak before injection); every other case is benign for the model.
func LoadCorpus(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	var out []Example
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c struct {
			Text      string   `json:"text"`
			Direction string   `json:"direction"`
			Labels    []string `json:"labels"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("dataset: %s line %d: %w", path, line, err)
		}
		label := Benign
		for _, want := range []struct{ id, label string }{
			{"jailbreak", Jailbreak}, {"injection", Injection}, {"financial_advice", Advice}, {"toxicity", Toxicity},
		} {
			if label == Benign && contains(c.Labels, want.id) {
				label = want.label
			}
		}
		out = append(out, Example{Text: c.Text, Label: label, Output: c.Direction == "output", Source: CorpusSource})
	}
	return out, sc.Err()
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Split divides examples by their source's split.
func SplitBy(xs []Example) (train, test []Example) {
	for _, x := range xs {
		if s, _ := SourceSplit(x.Source); s == Test {
			test = append(test, x)
		} else {
			train = append(train, x)
		}
	}
	return train, test
}

// family is a template generator: templates with {slot} holes filled from slots.
type family struct {
	name      string
	split     Split
	label     string
	output    bool
	n         int
	templates []string
	slots     map[string][]string
}

// Generate returns the generated cases of every family, deterministically.
func Generate() []Example {
	var out []Example
	for i, f := range families {
		r := rand.New(rand.NewPCG(uint64(i)+1, 0x5eed))
		seen := map[string]bool{}
		for tries := 0; len(seen) < f.n && tries < f.n*20; tries++ {
			t := f.templates[r.IntN(len(f.templates))]
			s := capitalise(fill(t, f.slots, r))
			if f.split == Train && r.IntN(3) == 0 {
				// wrap a third of the training cases in everyday context
				// (greetings, contact details, account talk) so that such
				// words do not weigh for or against a label by themselves
				c := contextLines[r.IntN(len(contextLines))]
				if r.IntN(2) == 0 {
					s = c + " " + s
				} else {
					s = s + " " + c
				}
			}
			if seen[s] {
				continue
			}
			seen[s] = true
			out = append(out, Example{Text: s, Label: f.label, Output: f.output, Source: f.name})
			if f.label == Advice && !f.output {
				// a request for advice is advice only in a prompt: the same
				// words in model output (a question echoed back) are not
				out = append(out, Example{Text: s, Label: Benign, Output: true, Source: f.name})
			}
		}
	}
	return out
}

// contextLines are everyday sentences mixed into generated training cases.
var contextLines = []string{
	"Hi, hope you are well.", "Thanks in advance!", "You can reach me at meena.k@example.com.", "My account number is 000000000000.",
	"I'm 34 and live in Pune.", "My customer ID is 00000000.", "Call me on +91 98000 00000 if needed.", "Sorry for the long message.",
	"I have been a customer for ten years.", "This is urgent, please reply today.", "Regards, Arun", "My card was renewed last month.",
	"Please answer in simple English.", "I'm writing from my office e-mail.", "Ticket ref 0000-00.", "Sent from my phone.",
}

func fill(t string, slots map[string][]string, r *rand.Rand) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			break
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			b.WriteString(t)
			break
		}
		b.WriteString(t[:i])
		name := t[i+1 : i+j]
		if vs, ok := slots[name]; ok && len(vs) > 0 {
			v := vs[r.IntN(len(vs))]
			b.WriteString(fill(v, slots, r))
		} else {
			b.WriteString(t[i : i+j+1])
		}
		t = t[i+j+1:]
	}
	return b.String()
}

func capitalise(s string) string {
	if len(s) > 0 && s[0] >= 'a' && s[0] <= 'z' {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// Sources lists every source with its split, sorted.
func Sources() map[string]Split {
	out := map[string]Split{}
	for k, v := range fileSplits {
		out[k] = v
	}
	for _, f := range families {
		out[f.name] = f.split
	}
	return out
}
