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
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "text/event-stream")
	o := newOutputScreen(rec, e, p, guard.DefaultWindow)
	o.WriteHeader(http.StatusOK)
	var err error
	for _, ev := range events(streamOf(pieces)) {
		if _, err = o.Write([]byte(ev)); err != nil {
			break
		}
	}
	if ferr := o.finish(); ferr != nil {
		t.Fatal(ferr)
	}
	return o, rec.Body.String(), err
}

// TestStreamLearnedAdviceFlagged checks that advice a streamed answer
// gives under bfsi-strict (advice: flag) goes out whole and is recorded in
// the verdict with the learned detector's features, as it is non-streamed.
func TestStreamLearnedAdviceFlagged(t *testing.T) {
	e, p := testPolicy(t, "bfsi-strict")
	answer := learnedAdvice + plainAnswer
	o, body, err := streamThrough(t, e, p, words(answer))
	if err != nil {
		t.Fatal(err)
	}
	got, errored := contentOf(t, body)
	if errored || got != answer || !strings.HasSuffix(body, "data: [DONE]\n\n") || !strings.Contains(body, `"finish_reason":"stop"`) {
		t.Errorf("client got %q (error event %v):\n%s", got, errored, body)
	}
	if o.verdict.action != guard.ActionFlag || o.verdict.counts[guard.DetectorFinancialAdvice] != 1 ||
		len(o.verdict.features[guard.DetectorFinancialAdvice]) == 0 {
		t.Errorf("verdict %+v, want one learned advice flag with its features", o.verdict)
	}
	// the same answer non-streamed gets the same verdict
	whole := e.Apply(answer, p, guard.Output)
	if len(whole.Findings) != 1 || whole.Findings[0].Detector != "financial_advice.learned" || whole.Action != guard.ActionFlag {
		t.Errorf("non-streamed: %+v", whole)
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
	answer := strings.Repeat(plainAnswer, 2) + learnedAdvice + strings.Repeat(plainAnswer, 4)
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
