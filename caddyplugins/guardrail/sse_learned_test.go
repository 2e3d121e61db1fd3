package guardrail

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/guard"
)

// Advice given in an answer, in words no rule has: only the learned
// detector finds it (see internal/guard's stream tests).
const (
	learnedAdvice = "Given your age and goals, I'd put 60% of your bonus into a low-cost S&P 500 index fund, " +
		"30% into government bonds and keep 10% in cash. Rebalance once a year. My recommendation: put " +
		"half of the lump sum into a global equity tracker, a quarter into short-dated gilts and the rest " +
		"into a cash ISA. That mix should give you around 7% a year. "
	plainAnswer = "Interest is calculated daily on the closing balance and paid monthly. You can see the " +
		"current rate on the rates page, and withdrawals are free of charge. To reset your password, open " +
		"the app, tap Settings, then Security, and choose Reset password. "
)

// adviceAnswers are candidates for learnedAdvice's part; pickAnswer takes
// the first the learned detector finds, so that the tests still hold when
// the model is retrained.
var adviceAnswers = []string{
	learnedAdvice,
	"At 35 with no debts, a 80/20 split between equities and bonds suits you. Put the equity part in a " +
		"world index fund and top it up every month; the bond part can sit in a short-term treasury fund. " +
		learnedAdvice,
}

// pickAnswer returns wrap(c) for the first candidate c whose wrapped text
// gets, whole, exactly one finding under p: the learned advice detector's.
func pickAnswer(t *testing.T, e *guard.Engine, p *guard.Policy, wrap func(string) string) string {
	t.Helper()
	for _, c := range adviceAnswers {
		text := wrap(c)
		fs := e.Apply(text, p, guard.Output).Findings
		if len(fs) == 1 && fs[0].Detector == "financial_advice.learned" {
			return text
		}
	}
	t.Fatal("the learned detector finds none of the advice answers: update adviceAnswers")
	return ""
}

// words cuts text into word pieces, as a provider streams them.
func words(text string) []string {
	var ps []string
	for _, w := range strings.SplitAfter(text, " ") {
		if w != "" {
			ps = append(ps, w)
		}
	}
	return ps
}

// events cuts an SSE stream into its events, each written whole.
func events(stream string) []string {
	var evs []string
	for _, ev := range strings.SplitAfter(stream, "\n\n") {
		if ev != "" {
			evs = append(evs, ev)
		}
	}
	return evs
}

// streamThrough writes a fake provider's stream of pieces to an output
// screen under p, event by event, and returns the screen, what the client
// got and the error Write returned last.
func streamThrough(t *testing.T, e *guard.Engine, p *guard.Policy, pieces []string) (*outputScreen, string, error) {
	t.Helper()
	return streamWrites(t, e, p, events(streamOf(pieces)))
}

// bytesOf cuts a stream into writes of size bytes, events cut anywhere.
func bytesOf(stream string, size int) []string {
	var ws []string
	for len(stream) > 0 {
		n := min(size, len(stream))
		ws, stream = append(ws, stream[:n]), stream[n:]
	}
	return ws
}

// streamWrites writes a stream to an output screen under p in the given
// writes, as streamThrough.
func streamWrites(t *testing.T, e *guard.Engine, p *guard.Policy, writes []string) (*outputScreen, string, error) {
	t.Helper()
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "text/event-stream")
	o := newOutputScreen(rec, e, p, guard.DefaultWindow)
	o.WriteHeader(http.StatusOK)
	var err error
	for _, w := range writes {
		if _, err = o.Write([]byte(w)); err != nil {
			break
		}
	}
	if ferr := o.finish(); ferr != nil {
		t.Fatal(ferr)
	}
	return o, rec.Body.String(), err
}

// TestStreamLearnedAdviceFlagged checks that advice a streamed answer
// gives under bfsi-strict (advice: flag), which the learned detector finds
// in the answer whole, goes out whole and is recorded in the verdict with
// the learned detector's features, as it is non-streamed.
func TestStreamLearnedAdviceFlagged(t *testing.T) {
	e, p := testPolicy(t, "bfsi-strict")
	answer := pickAnswer(t, e, p, func(c string) string { return c + plainAnswer })
	stream := streamOf(words(answer))
	for _, size := range []int{0, 1, 7, 64} {
		writes := events(stream) // event by event
		if size > 0 {
			writes = bytesOf(stream, size)
		}
		o, body, err := streamWrites(t, e, p, writes)
		if err != nil {
			t.Fatal(err)
		}
		got, errored := contentOf(t, body)
		if errored || got != answer || !strings.HasSuffix(body, "data: [DONE]\n\n") || !strings.Contains(body, `"finish_reason":"stop"`) {
			t.Errorf("writes of %d: client got %q (error event %v):\n%s", size, got, errored, body)
		}
		if o.verdict.action != guard.ActionFlag || o.verdict.counts[guard.DetectorFinancialAdvice] != 1 ||
			len(o.verdict.features[guard.DetectorFinancialAdvice]) == 0 {
			t.Errorf("writes of %d: verdict %+v, want one learned advice flag with its features", size, o.verdict)
		}
	}
}

// TestStreamLearnedAdviceBlockEndsStream checks that under a policy that
// blocks advice, advice in the middle of a streamed answer ends the stream
// with the OpenAI error event once its window is full: the text before went
// out, nothing after it, and no finish or [DONE].
func TestStreamLearnedAdviceBlockEndsStream(t *testing.T) {
	e, strict := testPolicy(t, "bfsi-strict")
	p := &guard.Policy{Name: "advice-block", Detectors: map[string]guard.DetectorPolicy{}}
	for id, dp := range strict.Detectors {
		p.Detectors[id] = dp
	}
	dp := p.Detectors[guard.DetectorFinancialAdvice]
	dp.Action = guard.ActionBlock
	p.Detectors[guard.DetectorFinancialAdvice] = dp
	answer := pickAnswer(t, e, p, func(c string) string { return strings.Repeat(plainAnswer, 2) + c + strings.Repeat(plainAnswer, 4) })
	o, body, err := streamThrough(t, e, p, words(answer))
	if err != errBlocked {
		t.Fatalf("Write err = %v, want errBlocked", err)
	}
	got, errored := contentOf(t, body)
	if !errored || !strings.Contains(body, "financial_advice") {
		t.Errorf("no guardrail error event naming the detector:\n%s", body)
	}
	if !strings.HasPrefix(answer, got) || len(got) < 2*len(plainAnswer) || len(got) >= len(answer) {
		t.Errorf("client got %d of %d bytes, want the text before the advice and not the end: %q", len(got), len(answer), got)
	}
	if strings.Contains(body, "[DONE]") || strings.Contains(body, `"finish_reason":"stop"`) {
		t.Errorf("a clean end after the block:\n%s", body)
	}
	if o.verdict.action != guard.ActionBlock || len(o.verdict.features[guard.DetectorFinancialAdvice]) == 0 {
		t.Errorf("verdict %+v, want a block with the learned features", o.verdict)
	}
}

// BenchmarkStreamFilterAnswer streams a plain answer, a word per event,
// under bfsi-strict: the per-chunk cost with the learned detectors reading
// the released text.
func BenchmarkStreamFilterAnswer(b *testing.B) {
	ps, _ := guard.LoadPolicies("../../configs/guardrails.yaml")
	e, _ := guard.NewEngine(guard.Options{})
	var evs [][]byte
	for _, ev := range events(streamOf(words(strings.Repeat(plainAnswer, 40)))) {
		if strings.Contains(ev, `"content"`) && !strings.Contains(ev, "finish_reason\":\"") {
			evs = append(evs, []byte(ev))
		}
	}
	b.ReportAllocs()
	var v verdict
	f := newSSEFilter(e, ps["bfsi-strict"], guard.DefaultWindow, &v)
	i := 0
	for b.Loop() {
		if i == len(evs) {
			f = newSSEFilter(e, ps["bfsi-strict"], guard.DefaultWindow, &v)
			i = 0
		}
		if _, blocked := f.write(evs[i]); blocked {
			b.Fatal("blocked")
		}
		i++
	}
}
