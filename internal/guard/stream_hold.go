package guard

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// What a stream holds back. A StreamScanner releases text as soon as it is
// screened, except the end of it that could still become (part of) a
// finding once more text comes:
//
//   - an unfinished value: the trailing run of characters a value is made of
//     (digits and letters, and the @ . _ + - / : = % of e-mail addresses,
//     UPI ids, IP addresses and keys), taken back across single separators
//     between digit or capital groups (card, phone, Aadhaar and IBAN groups);
//   - a value that the text after it may still qualify: a candidate (three
//     digits or more, or an @) less than afterContext bytes from the end;
//   - the start of a phrase of the lexicon or of a tenant's confidential
//     terms that the text ends inside of ("Ignore all pre");
//   - an obfuscated e-mail address the text may end inside of, from its
//     local part on ("jane [at] exam", "jane (a").
//
// Held text without a digit or an @ — an unfinished word ("Echo:", "user.na"),
// the first words of a phrase detector that blocks when it completes — holds
// no value to redact yet: the guardrail releases it once it has waited a
// little (Settle), so that a slow stream's words are not kept back.

// afterContext is how far after a value the detectors read context words
// that change its score (numbers read 24 bytes, tokens 20).
const afterContext = 24

// holdBack returns how many bytes at the end of text (the scanner's
// screened context followed by what it has not released; pending is the
// length of the latter) to keep, and whether they are only an unfinished
// plain word.
func (s *StreamScanner) holdBack(text string, pending int) (n int, plain bool) {
	start := len(text) - pending
	tok := valueTail(text, start)
	cut := tok
	plain = tok < len(text) && wordsOnly(text[tok:])
	if c := candidateFrom(text, max(start, tok-afterContext), tok); c < cut {
		cut, plain = c, false
	}
	if o := obfuscatedTail(text, start); o < cut {
		cut, plain = o, wordsOnly(text[o:]) // "jane [at] exam": may go after a pause
	}
	var p int
	if p, s.hits = s.e.partialPhrase(text, s.hits); p < cut {
		// The first words of a phrase: a block when it completes, not a
		// value to redact, so they may go after a pause like a plain word.
		cut, plain = p, wordsOnly(text[p:])
	}
	return len(text) - max(cut, start), plain
}

// obfuscatedTail returns where an obfuscated e-mail address that text may
// still end inside of begins: a bracketed "at", whole or cut ("[a"), in the
// last 128 bytes, followed by nothing but address characters. It returns
// len(text) when there is none.
func obfuscatedTail(text string, from int) int {
	cut := len(text)
	for k := len(text) - 1; k >= max(from, len(text)-128, 1); k-- {
		if c := text[k]; c != '[' && c != '(' || !openAt(text[k+1:]) {
			continue
		}
		le := k
		if text[le-1] == ' ' {
			le--
		}
		if ls := localStart(text, le); ls < le {
			cut = min(cut, ls) // the earliest: "jane [at] bank [" holds from jane
		}
	}
	return cut
}

// openAt reports whether rest, what follows a '[' or '(', is "at]" cut
// short, or "at]" followed only by address characters (the domain may go on).
func openAt(rest string) bool {
	const at = "at]"
	n := min(len(rest), 3)
	for i := 0; i < n; i++ {
		c := lowerASCII(rest[i])
		if c != at[i] && !(i == 2 && c == ')') {
			return false
		}
	}
	if n < 3 {
		return true
	}
	for i := 3; i < len(rest); i++ {
		if c := rest[i]; !isAlnum(c) && c < utf8.RuneSelf && strings.IndexByte(" .-[]()", c) < 0 {
			return false
		}
	}
	return true
}

// wordsOnly reports whether s holds no digit and no @: no value is in it.
func wordsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) || s[i] == '@' {
			return false
		}
	}
	return true
}

// isValueByte reports whether c can be part of a value.
func isValueByte(c byte) bool {
	if isAlnum(c) || c >= utf8.RuneSelf {
		return true
	}
	switch c {
	case '@', '.', '_', '+', '-', '/', ':', '=', '%':
		return true
	}
	return false
}

// isGroupByte reports whether c can be one group of a grouped value.
func isGroupByte(c byte) bool { return isDigit(c) || isUpper(c) }

// valueTail returns where the value text ends in begins, no earlier than
// from: the trailing run of value bytes, extended back across single
// separators (space, comma, (, )) between digit or capital groups; a separator
// after a last group still leaves the value open ("+91 ").
func valueTail(text string, from int) int {
	i := len(text)
	if i-1 > from && (text[i-1] == ' ' || text[i-1] == '(' || text[i-1] == ')') && isGroupByte(text[i-2]) {
		i--
	}
	for i > from {
		c := text[i-1]
		switch {
		case isValueByte(c):
			i--
		case (c == ' ' || c == '(' || c == ')' || c == ',') && i-1 > from && i < len(text) &&
			isGroupByte(text[i-2]) && (isGroupByte(text[i]) || text[i] == '('):
			i--
		default:
			return i
		}
	}
	return i
}

// candidateFrom returns the start of the first candidate value (a run with
// three digits or more, or an @) that ends in text[from:to], or len(text).
func candidateFrom(text string, from, to int) int {
	for i := from; i < to; {
		if !isValueByte(text[i]) {
			i++
			continue
		}
		j := i
		digits, at := 0, false
		for j < len(text) && isValueByte(text[j]) {
			if isDigit(text[j]) {
				digits++
			}
			at = at || text[j] == '@'
			j++
		}
		if digits >= 3 || at {
			return valueTail(text[:j], 0) // with the groups before it
		}
		i = j
	}
	return len(text)
}

// ruleReach is how far back a partial phrase is looked for: rules span a
// few words ("ignore all of the previous instructions"), a phrase of the
// lexicon or a confidential term a few more.
const ruleReach = 192

// partialPhrase returns where a phrase that text ends inside of begins, or
// len(text) when none: a word of the lexicon or of the engine's confidential
// terms not finished yet, or the first words of a phrase rule whose next
// words may still come ("Ignore all pre"). It reads the last ruleReach bytes
// once with the lexicon's automaton; scratch holds the hits.
func (e *Engine) partialPhrase(text string, scratch []hit) (int, []hit) {
	compiled.once.Do(compileLexicon)
	if compiled.err != nil {
		return len(text), scratch
	}
	from := max(len(text)-ruleReach, 0)
	for from > 0 && !utf8.RuneStart(text[from]) {
		from--
	}
	hits, open := compiled.main.scanOpen(text[from:], scratch[:0], true)
	cut := from + open
	if e.terms != nil {
		_, topen := e.terms.scanOpen(text[from:], nil, false)
		cut = min(cut, from+topen)
	}
	sortHits(hits)
	if r := partialRule(hits, len(text)-from); r >= 0 {
		cut = min(cut, from+r)
	}
	return cut, hits
}

// partialRule returns where the earliest phrase rule that the hits of a text
// of n bytes end in the middle of begins — its first words found, the next
// still within reach of the end — or -1.
func partialRule(hits []hit, n int) int {
	for i := range hits {
		c := hitClasses(hits[i])
		if c&ruleFirst == 0 {
			continue
		}
		for ri := range rules {
			x := &rules[ri]
			// a stream is model output: a rule for prompts never completes in it
			if len(x.slots) > 1 && !x.inputOnly && x.slots[0]&c != 0 && x.open(hits, i, n) {
				return int(hits[i].start)
			}
		}
	}
	return -1
}

// open reports whether rule x, started by hits[i], has not matched yet but
// could: each next slot found within its gap until one is not, whose gap
// reaches past end.
func (x *rule) open(hits []hit, i, end int) bool {
	prev := i
	for s := 1; s < len(x.slots); s++ {
		limit := int(hits[prev].end + x.gaps[s])
		next := -1
		for j := prev + 1; j < len(hits) && int(hits[j].start) <= limit; j++ {
			if hits[j].start >= hits[prev].end && hitClasses(hits[j])&x.slots[s] != 0 {
				next = j
				break
			}
		}
		if next < 0 {
			return limit >= end
		}
		prev = next
	}
	return false // matched: the scan reports it
}

// depths holds each automaton's state depths, computed once.
var depths sync.Map // *automaton -> []uint8

// stateDepth returns the depth, in normalised bytes, of every state of a: the
// length of the longest phrase prefix it stands for. In the DFA, the
// shortest path from the root to a state spells that prefix.
func (a *automaton) stateDepth() []uint8 {
	if d, ok := depths.Load(a); ok {
		return d.([]uint8)
	}
	k := int(a.k)
	n := len(a.delta) / k
	d := make([]uint8, n)
	seen := make([]bool, n)
	// The root, the state of no input, has no output: renumber numbers it
	// first, as state 0.
	seen[0] = true
	queue := []int{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c := 0; c < k; c++ {
			t := int(a.delta[s*k+c]) / k
			if !seen[t] {
				seen[t] = true
				d[t] = min(d[s]+1, 255)
				queue = append(queue, t)
			}
		}
	}
	v, _ := depths.LoadOrStore(a, d)
	return v.([]uint8)
}

// scanOpen runs a over text as scan does, appending the hits when collect,
// and also
// returns where the phrase prefix text ends in begins (len(text) when it
// ends in none longer than a space).
func (a *automaton) scanOpen(text string, hits []hit, collect bool) ([]hit, int) {
	var ring [ringSize]int32
	k, st := 0, a.start
	prevSpace, afterPunct := true, false
	for i := 0; i < len(text); {
		c, size := text[i], 1
		var nb byte
		if c < 0x80 {
			nb = asciiNorm[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			if nb = foldRune(r); nb == nbSkip {
				i += size
				continue
			}
		}
		if nb == ' ' {
			if prevSpace {
				i += size
				continue
			}
			prevSpace = true
		} else {
			if afterPunct && wordByte[nb] {
				ring[k&(ringSize-1)] = int32(i)
				k++
				st = a.delta[st+int32(a.class[' '])]
			}
			prevSpace = false
		}
		afterPunct = nb < 0x80 && !wordByte[nb] && nb != ' '
		ring[k&(ringSize-1)] = int32(i)
		k++
		i += size
		if st = a.delta[st+int32(a.class[nb])]; st >= a.firstOut && collect {
			hits = a.emit(text, st, i, k, &ring, hits)
		}
	}
	depth := int(a.stateDepth()[st/a.k])
	if depth <= 1 || prevSpace && depth <= 2 {
		return hits, len(text) // nothing, or only the space before a word
	}
	first := k - depth
	if first < 0 {
		return hits, 0
	}
	return hits, int(ring[first&(ringSize-1)])
}
