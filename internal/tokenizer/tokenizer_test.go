package tokenizer

import (
	"fmt"
	"testing"
)

func TestCountKnownValues(t *testing.T) {
	tests := []struct {
		enc  Encoding
		text string
		want int
	}{
		// Reference counts from OpenAI's tiktoken.
		{CL100k, "hello world", 2},
		{CL100k, "tiktoken is great!", 6},
		{O200k, "hello world", 2},
		{O200k, "<|endoftext|>", 7},
		{Heuristic, "hello world", 3},
		{Heuristic, "", 0},
		{O200k, "", 0},
	}
	for _, tt := range tests {
		if got := Count(tt.enc, tt.text); got != tt.want {
			t.Errorf("Count(%q, %q) = %d, want %d", tt.enc, tt.text, got, tt.want)
		}
	}
}

func TestForModel(t *testing.T) {
	tests := []struct {
		model  string
		openAI bool
		want   Encoding
	}{
		{"gpt-4o-mini", true, O200k},
		{"gpt-4.1", true, O200k},
		{"o3-mini", true, O200k},
		{"gpt-4-turbo", true, CL100k},
		{"text-embedding-3-small", true, CL100k},
		{"claude-3-5-sonnet", false, Heuristic},
		{"some-new-openai-model", true, O200k},
	}
	for _, tt := range tests {
		if got := ForModel(tt.model, tt.openAI); got != tt.want {
			t.Errorf("ForModel(%q, %v) = %q, want %q", tt.model, tt.openAI, got, tt.want)
		}
	}
}

func TestCountCacheIsPerEncodingAndBounded(t *testing.T) {
	// "<|endoftext|>" differs between encodings only by chance; the cache key
	// must include the encoding, so counts must match uncached ones.
	for _, e := range []Encoding{O200k, CL100k} {
		enc, err := encoder(e)
		if err != nil {
			t.Fatal(err)
		}
		text := "Überweisung von 1.234,56 EUR an IBAN DE89 3704 0044 0532 0130 00"
		if got, want := Count(e, text), len(enc.EncodeOrdinary(text)); got != want {
			t.Errorf("%s: cached count %d, want %d", e, got, want)
		}
	}
	for i := 0; i < 3*shardCap*len(counts.shards); i++ {
		counts.get(CL100k, fmt.Sprint("text ", i), func() int { return 1 })
	}
	for i := range counts.shards {
		if n := len(counts.shards[i].m); n > shardCap {
			t.Fatalf("shard %d holds %d counts, bound %d", i, n, shardCap)
		}
	}
}

func BenchmarkCountUncachedO200k(b *testing.B) {
	text := "Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged."
	enc, _ := encoder(O200k)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		enc.EncodeOrdinary(text)
	}
}

func BenchmarkCountO200k(b *testing.B) {
	text := "Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged."
	Count(O200k, text)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Count(O200k, text)
	}
}
