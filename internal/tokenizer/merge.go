package tokenizer

// part is a token boundary in a piece being merged: a token starts at
// start, and rank is the rank of that token merged with the next one, or
// noRank if that is no token.
type part struct {
	start, rank uint32
}

// merge runs tiktoken's byte-pair merge on piece, reusing parts' storage:
// starting from single bytes, it repeatedly merges the adjacent pair of
// lowest rank, the leftmost on a tie, until no pair is a token. It returns
// the start of each resulting token, then len(piece). Each step scans all
// the parts, which is the fastest way for short pieces only.
func (t *rankTable) merge(piece string, parts []part) []part {
	parts = parts[:0]
	for i := range len(piece) + 1 {
		parts = append(parts, part{start: uint32(i), rank: noRank})
	}
	for i := range parts {
		parts[i].rank = t.pairRank(piece, parts, i)
	}
	for {
		i := lowestRank(parts)
		if i < 0 {
			return parts
		}
		parts = append(parts[:i+1], parts[i+2:]...)
		parts[i].rank = t.pairRank(piece, parts, i)
		if i > 0 {
			parts[i-1].rank = t.pairRank(piece, parts, i-1)
		}
	}
}

// pairRank returns the rank of the token that would merge parts i and i+1.
func (t *rankTable) pairRank(piece string, parts []part, i int) uint32 {
	if i+2 >= len(parts) {
		return noRank
	}
	return t.rank(piece[parts[i].start:parts[i+2].start])
}

// lowestRank returns the index of the leftmost part of lowest rank, or -1
// if no part has one.
func lowestRank(parts []part) int {
	best, bestRank := -1, uint32(noRank)
	for i, p := range parts {
		if p.rank < bestRank {
			best, bestRank = i, p.rank
		}
	}
	return best
}

// longMerge merges long pieces in O(n log n) rather than merge's O(n²): a
// piece can be a whole run of letters, and a prompt of a megabyte of "a"
// would otherwise cost minutes. Its buffers are reused from piece to piece.
//
// The parts form a linked list indexed by their start, and the candidate
// merges wait in a min-heap ordered by rank, then start: the same order in
// which merge picks them, so the tokens are the same.
type longMerge struct {
	parts      []part   // parts[i] is the part starting at i, if there is one
	next, prev []uint32 // neighbours in the list; len(piece) ends it, prev[0] is unused
	heap       []uint64 // rank<<32 | start, possibly stale
}

// merge returns the tokens of piece as rankTable.merge does.
func (m *longMerge) merge(t *rankTable, piece string) []part {
	n := uint32(len(piece))
	m.parts = resize(m.parts, len(piece)+1)
	m.next = resize(m.next, len(piece))
	m.prev = resize(m.prev, len(piece))
	m.heap = m.heap[:0]
	for i := range n {
		m.next[i], m.prev[i] = i+1, i-1
	}
	for i := range n {
		m.setRank(t, piece, i)
	}
	for len(m.heap) > 0 {
		r, i := m.pop()
		if m.parts[i].rank != r {
			continue // i was merged away, or its pair changed since
		}
		j := m.next[i]
		m.next[i] = m.next[j]
		if m.next[j] < n {
			m.prev[m.next[j]] = i
		}
		m.parts[j].rank = noRank
		m.setRank(t, piece, i)
		if i > 0 {
			m.setRank(t, piece, m.prev[i])
		}
	}
	return m.compact(n)
}

// setRank updates the rank of part i merged with its successor, and queues
// the merge. Its start does not move and its end only grows, so a rank once
// changed never comes back: an entry whose rank is no longer its part's is
// stale.
func (m *longMerge) setRank(t *rankTable, piece string, i uint32) {
	r := uint32(noRank)
	if j := m.next[i]; j < uint32(len(piece)) {
		r = t.rank(piece[i:m.next[j]])
	}
	m.parts[i].rank = r
	if r != noRank {
		m.push(uint64(r)<<32 | uint64(i))
	}
}

// compact moves the remaining parts of a piece of n bytes to the front of
// m.parts, in order, and appends the end; all have noRank by now.
func (m *longMerge) compact(n uint32) []part {
	k := 0
	for i := uint32(0); i < n; i = m.next[i] {
		m.parts[k] = part{start: i, rank: noRank}
		k++
	}
	m.parts[k] = part{start: n, rank: noRank}
	return m.parts[:k+1]
}

func (m *longMerge) push(key uint64) {
	h := append(m.heap, key)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p] <= h[i] {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	m.heap = h
}

// pop removes the lowest entry from the heap and returns its rank and
// start.
func (m *longMerge) pop() (rank, start uint32) {
	h := m.heap
	top := h[0]
	h[0] = h[len(h)-1]
	h = h[:len(h)-1]
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && h[c+1] < h[c] {
			c++
		}
		if h[i] <= h[c] {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	m.heap = h
	return uint32(top >> 32), uint32(top)
}

// resize returns s with length n, reusing its storage if it is large
// enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
