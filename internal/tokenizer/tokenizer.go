// Package tokenizer estimates how many tokens a request will use, before the
// call, for rate limits and budgets. OpenAI models are counted exactly by
// our own implementation of tiktoken's byte-level BPE for o200k_base and
// cl100k_base, token for token the same as tiktoken-go's EncodeOrdinary (the
// BPE ranks are the ones tiktoken-go-loader compiles into the binary;
// nothing is downloaded at run time). Other models use a documented
// heuristic: one token per four bytes of UTF-8 text, rounded up, which
// over-counts English slightly for most modern tokenizers and so errs on the
// side of reserving too much; the reservation is settled with the provider's
// real usage afterwards.
package tokenizer

import (
	"errors"
	"hash/maphash"
	"strings"
	"sync"
)

// Encoding names a tiktoken encoding, or Heuristic.
type Encoding string

// Encodings.
const (
	O200k     Encoding = "o200k_base"  // gpt-4o, gpt-4.1, gpt-5, o-series
	CL100k    Encoding = "cl100k_base" // gpt-4, gpt-3.5, text-embedding-3
	Heuristic Encoding = ""            // any other model: bytes / 4
)

// Per-message overheads of the chat format, from OpenAI's token counting
// guide: each message costs a few tokens of framing, and the reply is primed
// with three more.
const (
	TokensPerMessage = 3
	TokensReplyPrime = 3
)

// The encodings load on first use: parsing o200k_base's ranks takes some
// 25 ms and keeps 6.3 MiB of heap in a handful of pointer-free objects;
// cl100k_base takes half that.
var (
	loadO200k  = sync.OnceValues(func() (*bpe, error) { return loadBPE(O200k, splitO200k) })
	loadCL100k = sync.OnceValues(func() (*bpe, error) { return loadBPE(CL100k, splitCL100k) })
)

var errUnknownEncoding = errors.New("unknown encoding")

func encoder(e Encoding) (*bpe, error) {
	switch e {
	case O200k:
		return loadO200k()
	case CL100k:
		return loadCL100k()
	}
	return nil, errUnknownEncoding
}

// Warm loads o200k_base, the encoding of current OpenAI models, in the
// background so the first request does not wait for it.
func Warm() {
	go loadO200k() //nolint:errcheck // reported on first use
}

// ForModel returns the encoding of an OpenAI model id (or upstream name), and
// Heuristic for anything else. openAI says whether the provider is OpenAI.
func ForModel(model string, openAI bool) Encoding {
	m := strings.ToLower(model)
	switch {
	case strings.HasPrefix(m, "gpt-4o"), strings.HasPrefix(m, "gpt-4.1"), strings.HasPrefix(m, "gpt-4.5"),
		strings.HasPrefix(m, "gpt-5"), strings.HasPrefix(m, "o1"), strings.HasPrefix(m, "o3"),
		strings.HasPrefix(m, "o4"), strings.HasPrefix(m, "chatgpt-4o"), strings.HasPrefix(m, "gpt-oss"):
		return O200k
	case strings.HasPrefix(m, "gpt-4"), strings.HasPrefix(m, "gpt-3.5"), strings.HasPrefix(m, "text-embedding-"):
		return CL100k
	case openAI:
		return O200k
	}
	return Heuristic
}

// Count returns the number of tokens of text in encoding e. Special-token
// strings in text are counted as ordinary text, as providers do for user input.
// An encoding other than O200k and CL100k, or one whose ranks fail to load,
// counts by the heuristic. Exact counts are memoised by a hash of the text:
// system prompts and prompt templates repeat from request to request, and
// BPE costs 5 (English) to 20 (other scripts) ns a byte.
func Count(e Encoding, text string) int {
	if text == "" {
		return 0
	}
	if e != Heuristic {
		if enc, err := encoder(e); err == nil {
			return counts.get(e, text, func() int { return enc.count(text) })
		}
	}
	return (len(text) + 3) / 4
}

// countCache memoises exact counts. It is sharded to keep lock contention
// low, and each shard is simply emptied when full: bounded memory, no LRU
// bookkeeping on the hot path.
type countCache struct {
	seed   maphash.Seed
	shards [16]countShard
}

type countShard struct {
	mu sync.Mutex
	m  map[uint64]int
}

// shardCap bounds each shard: 16 × 4096 texts, some 1.5 MB at most.
const shardCap = 4096

var counts = &countCache{seed: maphash.MakeSeed()}

func (c *countCache) get(e Encoding, text string, count func() int) int {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(string(e))
	h.WriteByte(0)
	h.WriteString(text)
	sum := h.Sum64()
	sh := &c.shards[sum%uint64(len(c.shards))]
	sh.mu.Lock()
	n, ok := sh.m[sum]
	sh.mu.Unlock()
	if ok {
		return n
	}
	n = count()
	sh.mu.Lock()
	if sh.m == nil || len(sh.m) >= shardCap {
		sh.m = make(map[uint64]int, 64)
	}
	sh.m[sum] = n
	sh.mu.Unlock()
	return n
}
