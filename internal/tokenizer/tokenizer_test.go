package tokenizer

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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
		text := "Überweisung von 1.234,56 EUR an IBAN DE89 3704 0044 0532 0130 00"
		if got, want := Count(e, text), len(oracle(t, e).EncodeOrdinary(text)); got != want {
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

func TestCountUnknownEncodingIsHeuristic(t *testing.T) {
	if got := Count("p50k_base", "hello world"); got != 3 {
		t.Errorf("Count(p50k_base, hello world) = %d, want the heuristic's 3", got)
	}
}

func TestCountDoesNotAllocate(t *testing.T) {
	text := readTestdata(t, "mixed-4k.txt")
	if !raceEnabled {
		// A long piece too: its merge buffers come from a sync.Pool, which
		// the race detector empties at random.
		text += strings.Repeat("x", 3*longPiece)
	}
	for _, e := range []Encoding{O200k, CL100k} {
		enc := mustEncoder(t, e)
		if n := testing.AllocsPerRun(10, func() { enc.count(text) }); n != 0 {
			t.Errorf("%s: %v allocations per count, want 0", e, n)
		}
	}
}

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const shortPrompt = "Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged."

func BenchmarkCountUncachedO200k(b *testing.B) {
	enc := mustEncoder(b, O200k)
	b.ReportAllocs()
	for b.Loop() {
		enc.count(shortPrompt)
	}
}

func BenchmarkCountO200k(b *testing.B) {
	Count(O200k, shortPrompt)
	b.ReportAllocs()
	for b.Loop() {
		Count(O200k, shortPrompt)
	}
}

// benchTexts are the prompts of the uncached benchmarks.
func benchTexts(b *testing.B) []struct{ name, text string } {
	return []struct{ name, text string }{
		{"english-1k", readTestdata(b, "english-1k.txt")},
		{"mixed-4k", readTestdata(b, "mixed-4k.txt")},
	}
}

func BenchmarkCountUncached(b *testing.B) {
	for _, e := range []Encoding{O200k, CL100k} {
		enc := mustEncoder(b, e)
		for _, tt := range benchTexts(b) {
			b.Run(string(e)+"/"+tt.name, func(b *testing.B) {
				b.SetBytes(int64(len(tt.text)))
				b.ReportAllocs()
				for b.Loop() {
					enc.count(tt.text)
				}
			})
		}
	}
}

// BenchmarkTiktokenGo measures the reference implementation on the texts
// of BenchmarkCountUncached, for comparison.
func BenchmarkTiktokenGo(b *testing.B) {
	for _, e := range []Encoding{O200k, CL100k} {
		enc := oracle(b, e)
		for _, tt := range benchTexts(b) {
			b.Run(string(e)+"/"+tt.name, func(b *testing.B) {
				b.SetBytes(int64(len(tt.text)))
				b.ReportAllocs()
				for b.Loop() {
					enc.EncodeOrdinary(tt.text)
				}
			})
		}
	}
}

// BenchmarkLoad measures parsing an encoding's ranks and reports the heap
// the result keeps, and in how many objects: the fewer, the less the
// garbage collector has to mark.
func BenchmarkLoad(b *testing.B) {
	for _, e := range []struct {
		enc   Encoding
		split func(string) int
	}{{O200k, splitO200k}, {CL100k, splitCL100k}} {
		b.Run(string(e.enc), func(b *testing.B) {
			var heap, objects float64
			for b.Loop() {
				var before, after runtime.MemStats
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&before)
				b.StartTimer()
				enc, err := loadBPE(e.enc, e.split)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				runtime.KeepAlive(enc)
				heap = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
				objects = float64(after.HeapObjects - before.HeapObjects)
				b.StartTimer()
			}
			b.ReportMetric(heap, "MiB-kept")
			b.ReportMetric(objects, "objects-kept")
		})
	}
}
