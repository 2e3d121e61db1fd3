// Package mockllm generates deterministic OpenAI-format answers: the same
// request always gives the same text, token counts and vectors. The gateway's
// mock provider and the fake upstream used by tests and benchmarks both use it,
// so a test can predict every byte without a real model.
package mockllm

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strings"

	"github.com/aigw/aigw/internal/oai"
)

// DefaultMaxTokens bounds an answer when the request sets no limit.
const DefaultMaxTokens = 64

// reply is the fixed body every answer draws its words from, after an echo of the
// prompt; long enough that a default answer is about 600 bytes of JSON.
var reply = strings.Fields(`This is a deterministic answer from the aigw mock provider.
It speaks the OpenAI wire format, streams when asked, counts tokens the same way
every time, and never calls a real model, so tests and benchmarks can predict it.`)

// CountTokens is the mock's tokenizer: one token per four bytes, at least one
// per non-empty text. Real providers report their own counts.
func CountTokens(s string) int {
	if s == "" {
		return 0
	}
	return (len(s) + 3) / 4
}

// Answer is a generated chat answer.
type Answer struct {
	// Pieces are the streamed deltas; their concatenation is the content.
	Pieces []string
	// PromptTokens and CompletionTokens are the usage the mock reports.
	PromptTokens, CompletionTokens int
	// FinishReason is "stop", or "length" when the limit cut the answer.
	FinishReason string
}

// Content returns the whole answer text.
func (a *Answer) Content() string { return strings.Join(a.Pieces, "") }

// Chat answers req. The answer starts with a short echo of the last user
// message, then words of a fixed text, one token per word, up to the request's
// max tokens (DefaultMaxTokens when unset) or the end of the text.
func Chat(req *oai.ChatRequest) Answer {
	var prompt int
	var last string
	for i := range req.Messages {
		t, _ := req.Messages[i].Text()
		prompt += CountTokens(t) + 4 // per-message overhead, as OpenAI counts
		if req.Messages[i].Role == "user" {
			last = t
		}
	}
	words := append([]string{"Echo:"}, strings.Fields(truncate(last, 48))...)
	words = append(words, reply...)
	limit := req.OutputLimit()
	if limit == 0 {
		limit = DefaultMaxTokens
	}
	a := Answer{PromptTokens: prompt, FinishReason: "stop"}
	for i, w := range words {
		if i == limit {
			a.FinishReason = "length"
			break
		}
		if i > 0 {
			w = " " + w
		}
		a.Pieces = append(a.Pieces, w)
	}
	a.CompletionTokens = len(a.Pieces)
	return a
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Embed returns a unit vector of dims float32s derived from the SHA-256 of
// text, so equal inputs embed equally and different inputs differently.
func Embed(text string, dims int) []float32 {
	out := make([]float32, dims)
	seed := sha256.Sum256([]byte(text))
	var block [32]byte
	var norm float64
	for i := 0; i < dims; i++ {
		if i%8 == 0 {
			var ctr [8]byte
			binary.LittleEndian.PutUint64(ctr[:], uint64(i/8))
			block = sha256.Sum256(append(seed[:], ctr[:]...))
		}
		u := binary.LittleEndian.Uint32(block[(i%8)*4:])
		v := float64(u)/float64(math.MaxUint32)*2 - 1
		out[i] = float32(v)
		norm += v * v
	}
	if norm > 0 {
		inv := 1 / math.Sqrt(norm)
		for i := range out {
			out[i] = float32(float64(out[i]) * inv)
		}
	}
	return out
}

// EncodeBase64 packs v as little-endian float32s in base64, as OpenAI does for
// encoding_format "base64".
func EncodeBase64(v []float32) string {
	buf := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(buf)
}
