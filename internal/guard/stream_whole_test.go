package guard_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/guard/textclass/dataset"
)

// flagging returns p with every action turned into flag, thresholds kept,
// so that a stream runs to its end and reports everything.
func flagging(p *guard.Policy) *guard.Policy {
	q := &guard.Policy{Name: p.Name + "-flag", Detectors: map[string]guard.DetectorPolicy{}}
	for id, dp := range p.Detectors {
		if dp.Action != guard.ActionAllow {
			dp.Action = guard.ActionFlag
		}
		q.Detectors[id] = dp
	}
	return q
}

// learnedIDs returns the sorted, distinct learned detector names of fs.
func learnedIDs(fs []guard.Finding) []string {
	var ids []string
	for _, f := range fs {
		if strings.HasSuffix(f.Detector, ".learned") && !slices.Contains(ids, f.Detector) {
			ids = append(ids, f.Detector)
		}
	}
	slices.Sort(ids)
	return ids
}

// streamFindings streams text in chunks and returns every finding reported.
func streamFindings(e *guard.Engine, p *guard.Policy, chunks []string) (string, []guard.Finding) {
	s := guard.NewStreamScanner(e, p, 0)
	var out strings.Builder
	var fs []guard.Finding
	for _, c := range chunks {
		emit, res := s.Write(c)
		out.WriteString(emit)
		fs = append(fs, res.Findings...)
	}
	emit, res := s.Flush()
	out.WriteString(emit)
	return out.String(), append(fs, res.Findings...)
}

func cutText(text, how string, r *rand.Rand) []string {
	var cs []string
	switch how {
	case "bytes":
		for i := 0; i < len(text); i++ {
			cs = append(cs, text[i:i+1])
		}
	case "words":
		last := 0
		for i := 0; i < len(text); i++ {
			if text[i] == ' ' || text[i] == '\n' {
				cs = append(cs, text[last:i+1])
				last = i + 1
			}
		}
		cs = append(cs, text[last:])
	default:
		for rest := text; len(rest) > 0; {
			n := min(1+r.IntN(40), len(rest))
			cs = append(cs, rest[:n])
			rest = rest[n:]
		}
	}
	return cs
}

// TestStreamLearnedSameAsWhole checks that answers streamed in chunks of
// every kind get the learned findings they get whole, under both BFSI
// templates: hand-written answers, and the model-output texts of the
// training and held-out data (advice given, and benign answers).
func TestStreamLearnedSameAsWhole(t *testing.T) {
	policies := shippedPolicies(t)
	e := shippedEngine(t)
	answers := []string{
		"My recommendation: put half of the lump sum into a global equity tracker, a quarter into " +
			"short-dated gilts and the rest into a cash ISA. That mix should give you around 7% a year.",
		"Given your age and goals, I'd put 60% of your bonus into a low-cost S&P 500 index fund, " +
			"30% into government bonds and keep 10% in cash. Rebalance once a year.",
		"At 35 with no debts, a 80/20 split between equities and bonds suits you. Put the equity part in a " +
			"world index fund and top it up every month; the bond part can sit in a short-term treasury fund.",
		"A mutual fund pools money from many investors and invests it in stocks, bonds or other assets. " +
			"Its net asset value is computed daily. Fees are expressed as an expense ratio.",
		strings.Repeat("The quarterly report shows revenue grew 12 percent compared with last year, driven by "+
			"higher card volumes and lower funding costs. ", 8) +
			"Given your age and goals, I'd put 60% of your bonus into a low-cost S&P 500 index fund, " +
			"30% into government bonds and keep 10% in cash.\n\n" +
			strings.Repeat("Operating expenses were flat and the cost-to-income ratio improved. ", 6),
	}
	all, err := dataset.Load("textclass/data")
	if err != nil {
		t.Fatal(err)
	}
	var data []string
	for _, x := range all {
		if x.Output && len(x.Text) < 4<<10 {
			data = append(data, x.Text)
		}
	}
	r := rand.New(rand.NewPCG(14, 1))
	r.Shuffle(len(data), func(i, j int) { data[i], data[j] = data[j], data[i] })
	n := 300
	if testing.Short() {
		n = 40
	}
	texts := append(answers, data[:min(n, len(data))]...)
	// long answers, several texts of the data in a row, so that findings
	// also come from full windows in the middle of the stream
	for i := 0; i+6 <= len(data) && i < n/3*6; i += 6 {
		texts = append(texts, strings.Join(data[i:i+6], "\n\n"))
	}
	withLearned := 0
	for _, name := range []string{"bfsi-strict", "bfsi-standard"} {
		p := flagging(policies[name])
		for i, text := range texts {
			whole := e.Apply(text, p, guard.Output)
			want := learnedIDs(whole.Findings)
			if len(want) > 0 {
				withLearned++
			}
			hows := []string{"random", "words"}
			if i < len(answers) || i%10 == 0 {
				hows = append(hows, "bytes")
			}
			for _, how := range hows {
				out, fs := streamFindings(e, p, cutText(text, how, r))
				if out != text {
					t.Fatalf("%s, text %d cut in %s: the stream changed the text", name, i, how)
				}
				if got := types(fs); !slices.Equal(got, whole.Flagged) {
					t.Errorf("%s, text %d cut in %s: streamed flags %v, whole %v\n%q", name, i, how, got, whole.Flagged, text)
				}
				if got := learnedIDs(fs); !slices.Equal(got, want) && !ruleLater(got, want, whole.Findings) {
					t.Errorf("%s, text %d cut in %s: streamed %v, whole %v\n%q", name, i, how, got, want, text)
				}
			}
		}
	}
	t.Logf("%d texts (%d from the data), %d with learned findings", len(texts), len(data), withLearned)
	if withLearned < 10 {
		t.Errorf("only %d texts have learned findings: the test checks little", withLearned)
	}
}

// types returns the sorted, distinct types of fs.
func types(fs []guard.Finding) []string {
	var ts []string
	for _, f := range fs {
		if !slices.Contains(ts, f.Type) {
			ts = append(ts, f.Type)
		}
	}
	slices.Sort(ts)
	return ts
}

// ruleLater reports whether the streamed learned ids differ from the whole
// text's only by learned findings whose type a rule found in the whole text:
// the stream reports a full window's finding as soon as the window is full,
// before it can know of a rule finding further on, which makes the whole
// text's learned finding redundant.
func ruleLater(streamed, whole []string, wholeFindings []guard.Finding) bool {
	for _, id := range streamed {
		if slices.Contains(whole, id) {
			continue
		}
		typ := strings.TrimSuffix(id, ".learned")
		ruled := false
		for _, f := range wholeFindings {
			ruled = ruled || !strings.HasSuffix(f.Detector, ".learned") && f.Type == typ
		}
		if !ruled {
			return false
		}
	}
	for _, id := range whole {
		if !slices.Contains(streamed, id) {
			return false
		}
	}
	return true
}
