package tokenizer

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"strconv"
)

// noRank marks byte strings that are not tokens.
const noRank = math.MaxUint32

// rankTable maps the byte strings of an encoding's tokens to their ranks
// (token ids, which are also their merge priorities).
//
// It holds no pointer per token: tiktoken-go's map[string]int and its
// decoder came to some 300,000 heap objects for o200k_base, which the
// garbage collector marked on every cycle. Here the tokens live in one
// string, the arena, indexed by tables of integers, so the whole table is
// four pointer-free allocations.
type rankTable struct {
	seed  maphash.Seed
	arena string   // the bytes of every token, in rank order
	offs  []uint32 // token r is arena[offs[r]:offs[r+1]]
	// pairs holds the ranks of two-byte strings, indexed by their bytes:
	// most lookups of a merge are of two bytes, and this spares them the
	// hash.
	pairs *[1 << 16]uint32
	// slots indexes the other tokens. It is a linear-probing hash table: 0
	// is empty, anything else holds the high 32 bits of the token's hash
	// above rank+1. Comparing the hash bits first spares most misses a
	// visit to the arena.
	slots []uint64
}

// rank returns the rank of the token spelled s, or noRank.
func (t *rankTable) rank(s string) uint32 {
	if len(s) == 2 {
		return t.pairs[pairIndex(s)]
	}
	h := maphash.String(t.seed, s)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		e := t.slots[i]
		if e == 0 {
			return noRank
		}
		if e>>32 == h>>32 {
			if r := uint32(e) - 1; t.token(r) == s {
				return r
			}
		}
	}
}

// pairIndex is the index in pairs of the two-byte string s.
func pairIndex(s string) uint16 {
	return uint16(s[0])<<8 | uint16(s[1])
}

// token returns the bytes of the token of rank r.
func (t *rankTable) token(r uint32) string {
	return t.arena[t.offs[r]:t.offs[r+1]]
}

// parseRanks reads a .tiktoken file: one "base64(token) rank" line per
// token, ranks counting up from 0, which lets the arena be in rank order.
func parseRanks(data []byte) (*rankTable, error) {
	arena := make([]byte, 0, base64.StdEncoding.DecodedLen(len(data)))
	offs := make([]uint32, 1, bytes.Count(data, []byte{'\n'})+1)
	for line := range bytes.Lines(data) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		if len(line) == 0 {
			continue
		}
		var err error
		if arena, err = appendToken(arena, line, len(offs)-1); err != nil {
			return nil, fmt.Errorf("token %d: %w", len(offs)-1, err)
		}
		offs = append(offs, uint32(len(arena)))
	}
	// The conversion also trims the arena to what the tokens use: its
	// capacity was a bound taken over the line numbers too.
	t := &rankTable{seed: maphash.MakeSeed(), arena: string(arena), offs: offs}
	if err := t.index(); err != nil {
		return nil, err
	}
	return t, nil
}

// appendToken decodes the token of one "base64(token) rank" line onto
// arena, checking that its rank is the next one, want.
func appendToken(arena, line []byte, want int) ([]byte, error) {
	b64, num, ok := bytes.Cut(line, []byte{' '})
	if !ok {
		return arena, fmt.Errorf("malformed line %q", line)
	}
	rank, err := strconv.Atoi(string(num))
	if err != nil {
		return arena, fmt.Errorf("rank %q: %w", num, err)
	}
	if rank != want {
		return arena, fmt.Errorf("rank %d out of sequence", rank)
	}
	if arena, err = base64.StdEncoding.AppendDecode(arena, b64); err != nil {
		return arena, fmt.Errorf("token %q: %w", b64, err)
	}
	return arena, nil
}

// index builds the lookup tables over the arena.
func (t *rankTable) index() error {
	n := len(t.offs) - 1
	t.pairs = new([1 << 16]uint32)
	for i := range t.pairs {
		t.pairs[i] = noRank
	}
	// At most half full, so that probe sequences stay short.
	t.slots = make([]uint64, 1<<bits.Len(uint(2*n)))
	for r := range uint32(n) {
		tok := t.token(r)
		switch {
		case t.rank(tok) != noRank:
			return fmt.Errorf("token %q listed twice", tok)
		case len(tok) == 2:
			t.pairs[pairIndex(tok)] = r
		default:
			t.insert(tok, r)
		}
	}
	return nil
}

// insert adds tok, of rank r, to the hash table.
func (t *rankTable) insert(tok string, r uint32) {
	h := maphash.String(t.seed, tok)
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = h>>32<<32 | uint64(r+1)
}
