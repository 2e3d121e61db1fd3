package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/openai/openai-go/v3"
)

// firstWords streams a short answer with the official SDK and returns when
// its first content arrived and when the answer ended, from the call's start,
// and the whole text.
func firstWords(t *testing.T, c openai.Client, model string) (first, end time.Duration, text string) {
	t.Helper()
	p := chatParams(model, "Say hello")
	p.MaxTokens = openai.Int(8) // a short answer, under the guardrail's 256-byte window
	start := time.Now()
	stream := c.Chat.Completions.NewStreaming(context.Background(), p)
	var b strings.Builder
	for stream.Next() {
		ch := stream.Current()
		if len(ch.Choices) > 0 && ch.Choices[0].Delta.Content != "" {
			if first == 0 {
				first = time.Since(start)
			}
			b.WriteString(ch.Choices[0].Delta.Content)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	return first, time.Since(start), b.String()
}

// TestStreamsStayStreams checks what a new user tried: a short streamed
// answer through the whole shipped chain (guardrails on the output) reaches
// an SDK client word by word, not in one piece at its end; and compares the
// time to first token with the router alone, behind authentication. The
// provider sends a chunk every 150 ms.
func TestStreamsStayStreams(t *testing.T) {
	measure := func(g *gateway) (first, end time.Duration, text string) {
		var firsts, ends []time.Duration
		for range 3 {
			f, e, s := firstWords(t, g.client(), "fake-slowstream")
			firsts, ends, text = append(firsts, f), append(ends, e), s
		}
		return median(firsts), median(ends), text
	}
	chain := startGateway(t, faultConfigs)
	chainFirst, chainEnd, chainText := measure(chain)
	if chainFirst == 0 || chainEnd-chainFirst < 500*time.Millisecond {
		t.Errorf("through the chain the first words came %v after the call, the end %v: the answer came in one piece", chainFirst, chainEnd)
	}
	caddy.Stop() //nolint:errcheck // the next gateway replaces this one
	route := startGatewayWith(t, filepath.Join(repoRoot, "bench", "route-only.Caddyfile"), faultConfigs)
	routeFirst, routeEnd, routeText := measure(route)
	t.Logf("time to first token, median of 3: whole chain %v, router alone %v (+%v); answer end %v and %v",
		chainFirst.Round(time.Millisecond), routeFirst.Round(time.Millisecond), (chainFirst - routeFirst).Round(time.Millisecond),
		chainEnd.Round(time.Millisecond), routeEnd.Round(time.Millisecond))
	if chainText != routeText {
		t.Errorf("the chain changed the answer: %q, router alone %q", chainText, routeText)
	}
	if chainFirst > routeFirst+200*time.Millisecond {
		t.Errorf("the chain's first token came %v after the router's: more than one chunk held", chainFirst-routeFirst)
	}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
