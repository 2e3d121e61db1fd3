// Package textclass is the guardrail engine's learned text classifier: a
// logistic regression per label over hashed word unigrams and bigrams and a
// few structural tokens, scored in one allocation-free pass over the text.
//
// Featurisation: the text is cut into tokens on the fly (ASCII letters
// lower-cased, every digit read as 0, bytes of multi-byte UTF-8 kept as word
// bytes so Devanagari and other scripts are words too, apostrophes dropped,
// each run of other punctuation a token of its own). Each token adds its
// unigram and the bigram with the previous token; a few structural tokens are
// added as well: words with an inner capital (common in adversarial
// suffixes), line starts that look
// like a role or section marker ("system:", "###"), and the direction of the
// text; and, from the token's shape and the few tokens before it, a concept
// class opening a sentence, the word after a tag opener, upper-case words,
// odd tokens and runs of them, long letter-digit runs, and concept pairs in a
// frame (see tokenFeatures). No feature looks further back than frameGap
// tokens. Feature hashes index a fixed table of quantised weights, one int8 per
// label, so a token costs two table lookups.
//
// Scores are computed over windows of up to WindowTokens tokens (consecutive
// pairs of half-windows), each normalised by the square root of its token
// count, and a label's score is its best window: an injection hidden in a long
// document is not diluted by the document.
package textclass

import (
	"math"
)

// Labels, in the order of a model's heads.
const (
	// Attack is a prompt attack: injection or jailbreak.
	Attack = iota
	// Jailbreak tells jailbreaks (role play, personas, adversarial suffixes)
	// from injections among attacks; it means nothing on other text.
	Jailbreak
	// Advice is personalised financial advice asked for in a prompt.
	Advice
	// AdviceOut is personalised financial advice given in model output.
	AdviceOut
	// Toxicity is abusive, hateful, demeaning or threatening language.
	Toxicity
	// NumLabels is the number of heads.
	NumLabels
)

// LabelNames names the heads, in order.
var LabelNames = [NumLabels]string{"attack", "jailbreak", "advice", "advice_out", "toxicity"}

const (
	// TableBits is log2 of the number of hashed feature buckets.
	TableBits = 18
	tableSize = 1 << TableBits
	tableMask = tableSize - 1
	// WindowTokens is the longest window a score is computed over.
	WindowTokens = 128
	halfWindow   = WindowTokens / 2
	// MinNorm is the shortest length a window is normalised by: a text of
	// two or three words needs as much evidence as one of MinNorm words, so
	// one suggestive word ("coin", "ai,") cannot carry a short text alone.
	MinNorm = 8
)

// Structural token hashes (mixed into the hash space like words).
var (
	hOdd      = hashString("\x00odd")   // punctuation run mixing symbols
	hCamel    = hashString("\x00camel") // word with an inner capital
	hLineMark = hashString("\x00linemark")
	hOut      = hashString("\x00output")
)

// outSalt marks a unigram's model-output copy: output text adds each
// unigram twice, once plain and once salted, so the model can weigh words
// differently in answers ("should I" asks for advice in a prompt, not in an answer).
const outSalt = 0x5bd1e9955bd1e995

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// bigram mixes two token hashes into a bigram hash.
func bigram(a, b uint64) uint64 {
	h := a*0x9E3779B97F4A7C15 ^ (b + 0x632BE59BD9B4E5DD)
	return h ^ h>>29
}

// bucket maps a feature hash to its table row.
func bucket(h uint64) uint32 { return uint32((h ^ h>>32) & tableMask) }

// Model is a trained classifier. It is immutable and safe for concurrent use.
type Model struct {
	// W holds tableSize rows of NumLabels quantised weights.
	W []int8
	// Scale converts a label's quantised weight sum to a logit.
	Scale [NumLabels]float32
	// Bias is each label's intercept.
	Bias [NumLabels]float32
	// Strict and Standard are each label's probability thresholds at the
	// recall-leaning (bfsi-strict) and precision-leaning (bfsi-standard)
	// operating points, chosen on a validation split of the training sources.
	Strict, Standard [NumLabels]float32
}

// Window is a label's best window: its probability and byte span.
type Window struct {
	Prob       float64
	Start, End int
}

// Scores holds each label's best window.
type Scores [NumLabels]Window

// class of each byte: 0 space, 1 letter, 2 digit, 3 punctuation, 4 ignored.
// (A variable initialiser, not init, so that the concept table's init can tokenise.)
var byteClass = makeByteClass()

const (
	clSpace = iota
	clLetter
	clDigit
	clPunct
	clIgnore
)

func makeByteClass() (byteClass [256]uint8) {
	for i := range byteClass {
		c := byte(i)
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			byteClass[i] = clSpace
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= 0x80:
			byteClass[i] = clLetter
		case c >= '0' && c <= '9':
			byteClass[i] = clDigit
		case c == '\'' || c == 0:
			byteClass[i] = clIgnore
		default:
			byteClass[i] = clPunct
		}
	}
	return byteClass
}

// Token is one token as the featuriser sees it.
type Token struct {
	// Hash is the token's feature hash.
	Hash uint64
	// Start and End are its byte offsets in the text.
	Start, End int
	// Extra is a structural token hash emitted with it (0 for none).
	Extra uint64
	// Shape holds the token's shape flags (shape*).
	Shape uint8
}

// Token shape flags: what a token's structural features are read from.
const (
	// shapeWord: a word (letters or digits), not a punctuation run.
	shapeWord = 1 << iota
	// shapeLine: the first token of a line.
	shapeLine
	// shapeEnd: a punctuation run that ends a sentence or opens a list
	// (. ! ? : ;).
	shapeEnd
	// shapeOpen: a punctuation run that opens a markup tag, role or
	// section marker (ends in < / [ | { or is a run of # = - *).
	shapeOpen
	// shapeCaps: an upper-case word of three letters or more.
	shapeCaps
	// shapeOdd: a token unlike prose: a punctuation run mixing symbols, a
	// word with an inner capital or mixing letters and digits, or a word of
	// four letters or more without a vowel.
	shapeOdd
	// shapeBlob: a long run of letters and digits (an encoded payload:
	// base64, hex).
	shapeBlob
)

// isVowel is 1 for the vowels (and y), either case, else 0.
var isVowel = func() (v [256]uint8) {
	for _, c := range "aeiouyAEIOUY" {
		v[c] = 1
	}
	return v
}()

// tokenize calls fn for every token of text, in order. It allocates nothing.
func tokenize(text string, fn func(t Token)) {
	n := len(text)
	lineStart := true
	for i := 0; i < n; {
		c := text[i]
		cl := byteClass[c]
		switch cl {
		case clSpace, clIgnore:
			if c == '\n' {
				lineStart = true
			}
			i++
			continue
		}
		start := i
		h := uint64(fnvOffset)
		var extra uint64
		var shape uint8
		if lineStart {
			shape = shapeLine
		}
		if cl == clPunct {
			first := c
			mixed := false
			for i < n && byteClass[text[i]] == clPunct {
				b := text[i]
				if b != first {
					mixed = true
				}
				switch b {
				case '.', '!', '?', ':', ';':
					shape |= shapeEnd
				}
				h ^= uint64(b)
				h *= fnvPrime
				i++
			}
			if lineStart && (first == '#' || first == '<' || first == '[' || first == '=' || first == '-') && i-start >= 2 {
				extra = hLineMark
			}
			switch last := text[i-1]; {
			case last == '<' || last == '/' || last == '[' || last == '|' || last == '{':
				shape |= shapeOpen
			case !mixed && i-start >= 2 && (first == '#' || first == '=' || first == '-' || first == '*'):
				shape |= shapeOpen
			}
			if mixed && i-start >= 2 {
				shape |= shapeOdd
			}
		} else {
			shape |= shapeWord
			upperAfterLower := false
			prevLower := false
			uppers, digits, vowels, nonASCII, ignored := 0, 0, 0, 0, 0
			for i < n {
				b := text[i]
				k := byteClass[b]
				if k == clIgnore {
					i++
					ignored++
					continue
				}
				if k != clLetter && k != clDigit {
					break
				}
				vowels += int(isVowel[b])
				switch {
				case b >= 'A' && b <= 'Z':
					if prevLower {
						upperAfterLower = true
					}
					b += 'a' - 'A'
					prevLower = false
					uppers++
				case k == clDigit:
					b = '0'
					prevLower = false
					digits++
				default: // a-z or a byte of a multi-byte character
					prevLower = b <= 'z'
					nonASCII += int(b >> 7)
				}
				h ^= uint64(b)
				h *= fnvPrime
				i++
			}
			if upperAfterLower {
				extra = hCamel
			} else if lineStart && i < n && text[i] == ':' && i-start <= 12 {
				extra = hLineMark // "system:", "assistant:", "user:" at a line start
			}
			letters := i - start - ignored - digits - nonASCII // ASCII letters
			switch {
			case letters+digits >= 16 && (digits > 0 && letters > 0 || letters+digits >= 32):
				shape |= shapeBlob | shapeOdd
			case upperAfterLower, digits > 0 && letters > 0, letters >= 4 && vowels == 0 && letters == i-start:
				shape |= shapeOdd
			}
			if uppers >= 3 && uppers == letters {
				shape |= shapeCaps
			}
		}
		lineStart = false
		fn(Token{Hash: h, Start: start, End: i, Extra: extra, Shape: shape})
	}
}

// featState carries what a token's features depend on from earlier tokens:
// nothing further back than frameGap tokens, so that a stream scanner that
// reads that many tokens again before new text featurises it as a whole text.
type featState struct {
	prevHash   uint64
	prevStart  int
	prevShape  uint8
	have       bool
	idx        int // token index
	lastC      uint8
	lastCIdx   int
	lastCStart int
	oddRun     uint8 // shapeOdd of the last four tokens, one bit each
	frameIdx   [numFrames]int
	frameStart [numFrames]int
}

// Structural feature salts and tokens.
const (
	sentSalt  = 0x2545F4914F6CDD1D // a word opening a sentence or line
	tagSalt   = 0x9FB21C651E98DF25 // a word right after a tag or marker opener
	capsSalt  = 0xD6E8FEB86659FD93 // an upper-case word
	frameSalt = 0xA0761D6478BD642F // a class after a frame class
)

var (
	hOddRun = hashString("\x00oddrun") // three of the last four tokens odd
	hBlob   = hashString("\x00blob")   // a long letter-digit run
)

// Frame classes: classes that set up a frame (a role play, a document, an
// address to the model, an override, a decoding task) whose later classes
// are read in it, up to frameGap tokens on ("pretend … you are … no rules
// … explain … bomb").
var frames = [...]uint8{cRole, cData, cAI, cIgnore, cDecode}

const (
	numFrames = len(frames)
	frameGap  = 8
)

// maxTokenFeatures bounds the features one token adds.
const maxTokenFeatures = 12 + numFrames

// tokenFeatures writes token t's feature hashes to hs and the start offset
// of the span each covers (it ends at t.End) to starts, and returns how many:
// its unigram, its bigram with the previous token, its structural token, its
// salted output copy (in output), its concept class and the class pair with
// the previous class token; and its structural features: its class when it
// opens a sentence or line, the word after a tag or marker opener, an
// upper-case word, an odd token and a run of them, a long letter-digit run
// (class cBlob), and its class paired with each frame class seen at most
// frameGap tokens before.
func (st *featState) tokenFeatures(t Token, output bool, hs *[maxTokenFeatures]uint64, starts *[maxTokenFeatures]int) int {
	n := 0
	hs[n], starts[n] = t.Hash, t.Start
	n++
	if st.have {
		hs[n], starts[n] = bigram(st.prevHash, t.Hash), st.prevStart
		n++
	}
	if t.Extra != 0 {
		hs[n], starts[n] = t.Extra, t.Start
		n++
	}
	if output {
		hs[n], starts[n] = t.Hash^outSalt, t.Start
		n++
	}
	c := conceptOf(t.Hash)
	if t.Shape&shapeWord != 0 {
		if c != cNone && (!st.have || t.Shape&shapeLine != 0 || st.prevShape&shapeEnd != 0) {
			// a class opening a sentence or line: the imperative mood
			// ("Ignore …", "Tell …", "Reveal …") shows here
			hs[n], starts[n] = conceptHash[c]^sentSalt, t.Start
			n++
		}
		if st.have && st.prevShape&shapeOpen != 0 {
			// "</document>", "[INST]", "### system", "<|im_start|>"
			hs[n], starts[n] = t.Hash^tagSalt, st.prevStart
			n++
		}
		if t.Shape&shapeCaps != 0 {
			hs[n], starts[n] = t.Hash^capsSalt, t.Start
			n++
		}
		if t.Shape&shapeBlob != 0 {
			hs[n], starts[n] = hBlob, t.Start
			n++
			if c == cNone {
				c = cBlob
			}
		}
	}
	st.oddRun = st.oddRun<<1&0xF | b2u(t.Shape&shapeOdd != 0)
	if t.Shape&shapeOdd != 0 {
		hs[n], starts[n] = hOdd, t.Start
		n++
		if bits3of4[st.oddRun] {
			hs[n], starts[n] = hOddRun, t.Start
			n++
		}
	}
	if c != cNone {
		hs[n], starts[n] = conceptHash[c], t.Start
		n++
		if st.lastC != cNone && st.idx-st.lastCIdx <= conceptGap {
			hs[n], starts[n] = conceptPair(st.lastC, c), st.lastCStart
			n++
		}
		for f, fc := range frames {
			if fc != c && st.frameIdx[f] > 0 && st.idx+1-st.frameIdx[f] <= frameGap {
				hs[n], starts[n] = conceptPair(fc, c)^frameSalt, st.frameStart[f]
				n++
			}
		}
		for f, fc := range frames {
			if fc == c {
				st.frameIdx[f], st.frameStart[f] = st.idx+1, t.Start
			}
		}
		st.lastC, st.lastCIdx, st.lastCStart = c, st.idx, t.Start
	}
	st.prevHash, st.prevStart, st.prevShape, st.have = t.Hash, t.Start, t.Shape, true
	st.idx++
	return n
}

// bits3of4 marks the 4-bit masks with three bits or more set.
var bits3of4 = [16]bool{7: true, 11: true, 13: true, 14: true, 15: true}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// Features calls fn with the hash of every feature of text (the unit the
// weight table is indexed by) and the byte span it covers, in order.
// Trainers and Explain use it; Score makes the same walk.
func Features(text string, output bool, fn func(h uint64, start, end int)) {
	if output {
		fn(hOut, 0, 0)
	}
	var st featState
	var hs [maxTokenFeatures]uint64
	var starts [maxTokenFeatures]int
	tokenize(text, func(t Token) {
		n := st.tokenFeatures(t, output, &hs, &starts)
		for i := 0; i < n; i++ {
			fn(hs[i], starts[i], t.End)
		}
	})
}

// WindowFeatures calls fn with the feature rows of each window Score looks
// at (for trainers; it allocates). A text of up to WindowTokens tokens is one
// window. tokens is the window's token count, the length Score normalises by.
func WindowFeatures(text string, output bool, fn func(rows []uint32, tokens int)) {
	var perTok [][]uint32
	var head []uint32
	if output {
		head = append(head, bucket(hOut))
	}
	var st featState
	var hs [maxTokenFeatures]uint64
	var starts [maxTokenFeatures]int
	tokenize(text, func(t Token) {
		n := st.tokenFeatures(t, output, &hs, &starts)
		f := make([]uint32, n)
		for i := 0; i < n; i++ {
			f[i] = bucket(hs[i])
		}
		perTok = append(perTok, f)
	})
	emit := func(from, to int) {
		rows := append([]uint32(nil), head...)
		for _, f := range perTok[from:to] {
			rows = append(rows, f...)
		}
		fn(rows, to-from)
	}
	n := len(perTok)
	if n <= WindowTokens {
		emit(0, n)
		return
	}
	for from := 0; from < n; from += halfWindow {
		to := min(from+WindowTokens, n)
		emit(from, to)
		if to == n {
			break
		}
	}
}

// Bucket is the table row of a feature hash (for trainers).
func Bucket(h uint64) uint32 { return bucket(h) }

// TableSize is the number of rows in the weight table.
const TableSize = tableSize

type block struct {
	sum        [NumLabels]int32
	n          int32
	start, end int
}

// Windows adds up a text's tokens into the windows Score reads: pairs of
// half-windows of WindowTokens/2 tokens counted from the first token, each
// pair scored once, when its last token comes, and the last (partial) window
// at the end. Score and the guardrail's stream scanner, which counts a
// streamed answer's tokens as they are released, both read a text through
// it, so the two give the same scores.
type Windows struct {
	m         *Model
	prev, cur block
	outAdj    [NumLabels]int32
	best      [NumLabels]float64
	win       Scores
	full      int
}

// Windows returns an empty accumulator; output says the text is model output.
func (m *Model) Windows(output bool) Windows {
	ws := Windows{m: m}
	if output {
		r := bucket(hOut) * NumLabels
		for k := 0; k < NumLabels; k++ {
			ws.outAdj[k] = int32(m.W[r+uint32(k)])
		}
	}
	for k := range ws.best {
		ws.best[k] = math.Inf(-1)
	}
	return ws
}

// Add counts one token, ending at byte end, whose features' weights sum to
// sum. It reports whether a window was full with it and scored.
func (ws *Windows) Add(sum *[NumLabels]int32, end int) bool {
	for k := range sum {
		ws.cur.sum[k] += sum[k]
	}
	return ws.counted(end)
}

// counted ends a token whose weights are in cur.sum already.
func (ws *Windows) counted(end int) bool {
	ws.cur.n++
	ws.cur.end = end
	if ws.cur.n < halfWindow {
		return false
	}
	return ws.roll(end)
}

// roll scores a full window and opens the next half-window.
func (ws *Windows) roll(end int) bool {
	scored := ws.prev.n > 0
	if scored {
		ws.score(&ws.best, &ws.win)
		ws.full++
	}
	ws.prev = ws.cur
	ws.cur = block{start: end, end: end}
	return scored
}

// Open is the byte offset where the windows still open begin: text before
// it is in no window that can still be scored.
func (ws *Windows) Open() int {
	if ws.prev.n > 0 {
		return ws.prev.start
	}
	return ws.cur.start
}

// Full is the number of full windows scored so far.
func (ws *Windows) Full() int { return ws.full }

// Best returns the best full window of each label so far.
func (ws *Windows) Best() Scores { return ws.win }

// Final returns Score's result for the whole text, n bytes long: the best
// window of each label, the last one included. ws is left as it was.
func (ws *Windows) Final(n int) Scores {
	best, win := ws.best, ws.win
	if ws.cur.n > 0 || ws.full == 0 {
		ws.score(&best, &win)
	}
	for k := range best {
		if math.IsInf(best[k], -1) {
			win[k] = Window{Prob: sigmoid(float64(ws.m.Bias[k])), Start: 0, End: n}
		}
	}
	return win
}

// score scores the window prev+cur into best and win.
func (ws *Windows) score(best *[NumLabels]float64, win *Scores) {
	n := ws.prev.n + ws.cur.n
	if n == 0 {
		return
	}
	inv := 1 / math.Sqrt(float64(max(n, MinNorm)))
	start := ws.prev.start
	if ws.prev.n == 0 {
		start = ws.cur.start
	}
	m := ws.m
	for k := 0; k < NumLabels; k++ {
		l := float64(m.Bias[k]) + float64(m.Scale[k])*float64(ws.prev.sum[k]+ws.cur.sum[k]+ws.outAdj[k])*inv
		if l > best[k] {
			best[k] = l
			win[k] = Window{Prob: sigmoid(l), Start: start, End: ws.cur.end}
		}
	}
}

// Score scores text; output says the text is model output rather than a prompt.
// It allocates nothing.
func (m *Model) Score(text string, output bool) Scores {
	ws := m.Windows(output)
	w := m.W
	var st featState
	var hs [maxTokenFeatures]uint64
	var starts [maxTokenFeatures]int
	tokenize(text, func(t Token) {
		nf := st.tokenFeatures(t, output, &hs, &starts)
		s := &ws.cur.sum
		for i := 0; i < nf; i++ {
			r := bucket(hs[i]) * NumLabels
			s[0] += int32(w[r])
			s[1] += int32(w[r+1])
			s[2] += int32(w[r+2])
			s[3] += int32(w[r+3])
			s[4] += int32(w[r+4])
		}
		ws.counted(t.End)
	})
	return ws.Final(len(text))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Contribution is one feature's part in a label's score.
type Contribution struct {
	// Start and End are the byte span of the feature's tokens.
	Start, End int
	// Weight is the feature's weight (in logit units, before length normalisation).
	Weight float64
}

// Explain returns the features of text[start:end] that raised label's score
// most, strongest first, at most max of them, merging repeats of a span.
func (m *Model) Explain(text string, start, end int, output bool, label, max int) []Contribution {
	var top []Contribution
	base := start
	Features(text[start:end], output, func(h uint64, s, e int) {
		q := m.W[bucket(h)*NumLabels+uint32(label)]
		if q <= 0 || s == e {
			return
		}
		c := Contribution{Start: base + s, End: base + e, Weight: float64(q) * float64(m.Scale[label])}
		for i := range top {
			if top[i].Start == c.Start && top[i].End == c.End {
				return
			}
		}
		i := len(top)
		for i > 0 && top[i-1].Weight < c.Weight {
			i--
		}
		if i >= max {
			return
		}
		if len(top) < max {
			top = append(top, Contribution{})
		}
		copy(top[i+1:], top[i:len(top)-1])
		top[i] = c
	})
	return top
}

// FeatureText renders a feature span the way the featuriser reads it:
// lower-cased, every digit as 0, whitespace runs as one space.
func FeatureText(text string) string {
	b := make([]byte, 0, len(text))
	sp := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch byteClass[c] {
		case clSpace:
			sp = true
			continue
		case clDigit:
			c = '0'
		case clIgnore:
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if sp && len(b) > 0 {
			b = append(b, ' ')
		}
		sp = false
		b = append(b, c)
	}
	return string(b)
}
