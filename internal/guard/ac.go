package guard

import (
	"fmt"
	"unicode/utf8"
)

// automaton is an Aho-Corasick automaton compiled to a dense DFA over a small
// alphabet of normalised bytes. The transition table stores row offsets
// (state*k) so the inner loop is one load per byte, and states that end a
// phrase are numbered last so "is there a match here" is one comparison.
type automaton struct {
	class    [256]uint8 // normalised byte -> alphabet class; 0 = no phrase uses it
	k        int32      // alphabet size
	delta    []int32    // delta[rowOffset+class] = next row offset
	start    int32      // row offset after the virtual leading space
	firstOut int32      // row offsets >= firstOut have outputs
	outIdx   []int32    // per state (offset/k - firstOut/k): start into outs
	outs     []uint16   // pattern ids
	plen     []uint8    // normalised pattern length, leading space included
	lead     []bool     // pattern starts with a word character (a leading space was added)
	tail     []bool     // pattern ends with a word character: needs a boundary after it
	prefix   []bool     // pattern may be followed by more letters (a stem)
	compact  bool       // built for the obfuscation pass (letters only, no boundaries)
}

// hit is one phrase occurrence: pattern id and byte span in the original text.
type hit struct {
	pat        uint16
	start, end int32
}

// acPattern is one phrase to compile.
type acPattern struct {
	text   string
	prefix bool
}

const ringSize = 256 // longest normalised phrase, in bytes

// compile builds the automaton. Pattern ids are indexes into pats.
func compile(pats []acPattern, compact bool) (*automaton, error) {
	a := &automaton{compact: compact}
	norm := make([]string, len(pats))
	a.plen = make([]uint8, len(pats))
	a.lead = make([]bool, len(pats))
	a.tail = make([]bool, len(pats))
	a.prefix = make([]bool, len(pats))
	for i, p := range pats {
		s := normPattern(p.text)
		if compact {
			s = compactString(s)
		} else if s != "" && wordByte[s[0]] {
			s = " " + s
			a.lead[i] = true
		}
		if len(s) == 0 || len(s) >= ringSize-1 {
			return nil, fmt.Errorf("phrase %q: normalised length %d out of range", p.text, len(s))
		}
		norm[i] = s
		a.plen[i] = uint8(len(s))
		a.tail[i] = !compact && wordByte[s[len(s)-1]]
		a.prefix[i] = p.prefix
	}
	a.buildAlphabet(norm)
	a.buildTables(norm)
	return a, nil
}

func compactString(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := compactFold[s[i]]; c != 0 {
			out = append(out, c)
		}
	}
	return string(out)
}

func (a *automaton) buildAlphabet(norm []string) {
	next := uint8(1)
	assign := func(b byte) {
		if a.class[b] == 0 {
			a.class[b] = next
			next++
		}
	}
	if !a.compact {
		assign(' ')
	}
	for _, s := range norm {
		for i := 0; i < len(s); i++ {
			assign(s[i])
		}
	}
	a.k = int32(next)
}

// buildTables builds the trie, failure links, full transition table and
// output lists, then renumbers states so output states come last.
func (a *automaton) buildTables(norm []string) {
	k := int(a.k)
	gotoT := make([]int32, k) // state 0 = root; -1 = no edge
	for i := range gotoT {
		gotoT[i] = -1
	}
	own := [][]uint16{nil}
	for id, s := range norm {
		st := 0
		for i := 0; i < len(s); i++ {
			c := int(a.class[s[i]])
			if gotoT[st*k+c] < 0 {
				gotoT[st*k+c] = int32(len(own))
				own = append(own, nil)
				for j := 0; j < k; j++ {
					gotoT = append(gotoT, -1)
				}
			}
			st = int(gotoT[st*k+c])
		}
		own[st] = append(own[st], uint16(id))
	}
	n := len(own)
	fail := make([]int32, n)
	outs := make([][]uint16, n)
	queue := make([]int32, 0, n)
	for c := 0; c < k; c++ {
		if t := gotoT[c]; t > 0 {
			queue = append(queue, t)
		} else {
			gotoT[c] = 0
		}
	}
	outs[0] = own[0]
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		outs[s] = append(append([]uint16(nil), own[s]...), outs[fail[s]]...)
		for c := 0; c < k; c++ {
			t := gotoT[int(s)*k+c]
			if t < 0 {
				gotoT[int(s)*k+c] = gotoT[int(fail[s])*k+c]
				continue
			}
			fail[t] = gotoT[int(fail[s])*k+c]
			queue = append(queue, t)
		}
	}
	a.renumber(gotoT, outs)
}

func (a *automaton) renumber(gotoT []int32, outs [][]uint16) {
	k := int(a.k)
	n := len(outs)
	order := make([]int32, 0, n)
	for s := 0; s < n; s++ {
		if len(outs[s]) == 0 {
			order = append(order, int32(s))
		}
	}
	nPlain := len(order)
	for s := 0; s < n; s++ {
		if len(outs[s]) > 0 {
			order = append(order, int32(s))
		}
	}
	newID := make([]int32, n)
	for i, s := range order {
		newID[s] = int32(i)
	}
	a.delta = make([]int32, n*k)
	for i, s := range order {
		for c := 0; c < k; c++ {
			a.delta[i*k+c] = newID[gotoT[int(s)*k+c]] * int32(k)
		}
	}
	a.firstOut = int32(nPlain * k)
	a.outIdx = make([]int32, n-nPlain+1)
	for i, s := range order[nPlain:] {
		a.outIdx[i] = int32(len(a.outs))
		a.outs = append(a.outs, outs[s]...)
	}
	a.outIdx[n-nPlain] = int32(len(a.outs))
	a.start = newID[0] * int32(k)
	if !a.compact {
		a.start = a.delta[a.start+int32(a.class[' '])]
	}
}

// scan runs the automaton over text (normal mode) and appends hits. It
// reports whether it dropped zero-width characters.
func (a *automaton) scan(text string, hits []hit) ([]hit, bool) {
	var ring [ringSize]int32
	k, st := 0, a.start
	prevSpace, sawZW, afterPunct := true, false, false
	for i := 0; i < len(text); {
		c, size := text[i], 1
		if c-'a' < 26 && !afterPunct { // fast path: a lower-case letter inside prose
			ring[k&(ringSize-1)] = int32(i)
			k++
			i++
			prevSpace = false
			if st = a.delta[st+int32(a.class[c])]; st >= a.firstOut {
				hits = a.emit(text, st, i, k, &ring, hits)
			}
			continue
		}
		var nb byte
		if c < 0x80 {
			nb = asciiNorm[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			if nb = foldRune(r); nb == nbSkip {
				sawZW = sawZW || isZeroWidth(r)
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
				// a word after kept punctuation starts like one after a space
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
		st = a.delta[st+int32(a.class[nb])]
		if st >= a.firstOut {
			hits = a.emit(text, st, i, k, &ring, hits)
		}
	}
	return hits, sawZW
}

func (a *automaton) emit(text string, st int32, end, k int, ring *[ringSize]int32, hits []hit) []hit {
	s := (st - a.firstOut) / a.k
	for _, p := range a.outs[a.outIdx[s]:a.outIdx[s+1]] {
		if a.tail[p] && !a.prefix[p] && wordAt(text, end) {
			continue
		}
		first := k - int(a.plen[p])
		if a.lead[p] {
			first++
		}
		hits = append(hits, hit{pat: p, start: ring[first&(ringSize-1)], end: int32(end)})
	}
	return hits
}

// scanCompact runs a compact automaton over text read as letters only
// (leetspeak folded, spaces and punctuation dropped) and appends hits, with
// offsets shifted by base.
func (a *automaton) scanCompact(text string, base int, hits []hit) []hit {
	var ring [ringSize]int32
	k, st := 0, a.start
	for i := 0; i < len(text); {
		c, size := text[i], 1
		var nb byte
		if c < 0x80 {
			nb = compactFold[lowerASCII(c)]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			if b := foldRune(r); b < 0x80 {
				nb = compactFold[b]
			}
		}
		if nb == 0 {
			i += size
			continue
		}
		ring[k&(ringSize-1)] = int32(i)
		k++
		i += size
		st = a.delta[st+int32(a.class[nb])]
		if st >= a.firstOut {
			s := (st - a.firstOut) / a.k
			for _, p := range a.outs[a.outIdx[s]:a.outIdx[s+1]] {
				first := k - int(a.plen[p])
				hits = append(hits, hit{pat: p, start: ring[first&(ringSize-1)] + int32(base), end: int32(i + base)})
			}
		}
	}
	return hits
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
