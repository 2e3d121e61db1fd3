package tokenizer

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/pkoukk/tiktoken-go-loader/assets"
)

// bpe is one of tiktoken's byte-level BPE encodings: a pretokenizer that
// splits text into pieces, and the ranks by which each piece's bytes are
// merged into tokens.
type bpe struct {
	ranks *rankTable
	// split returns the length in bytes of the first piece of a non-empty
	// string.
	split func(string) int
}

// loadBPE parses the ranks of encoding e embedded by tiktoken-go-loader.
func loadBPE(e Encoding, split func(string) int) (*bpe, error) {
	data, err := assets.Assets.ReadFile(string(e) + ".tiktoken")
	if err != nil {
		return nil, fmt.Errorf("loading %s ranks: %w", e, err)
	}
	ranks, err := parseRanks(data)
	if err != nil {
		return nil, fmt.Errorf("parsing %s ranks: %w", e, err)
	}
	return &bpe{ranks: ranks, split: split}, nil
}

// count returns the number of tokens of text, with special-token strings
// encoded as ordinary text.
func (b *bpe) count(text string) int {
	text = validUTF8(text)
	n := 0
	for text != "" {
		end := b.split(text)
		n += b.pieceCount(text[:end])
		text = text[end:]
	}
	return n
}

// validUTF8 returns text with each byte that is not part of valid UTF-8
// replaced by U+FFFD. tiktoken-go matches its pattern against []rune(text),
// which does this, and encodes the pieces it cuts from those runes. Text
// decoded from JSON is always valid, so the copy is rare.
func validUTF8(text string) string {
	if utf8.ValidString(text) {
		return text
	}
	return string([]rune(text))
}

// longPiece is the length from which a piece is merged by a longMerge,
// borrowed from longMerges. Shorter ones, nearly all of them, are merged in
// an array on the stack.
const longPiece = 64

var longMerges = sync.Pool{New: func() any { return new(longMerge) }}

// pieceCount returns the number of tokens of one piece.
func (b *bpe) pieceCount(piece string) int {
	// Every single byte is a token, and so is every whole piece that is in
	// the table (most words with their leading space). tiktoken looks the
	// piece up before merging, and so must we: merging does not always
	// arrive at a token that exists.
	if len(piece) == 1 || b.ranks.rank(piece) != noRank {
		return 1
	}
	if len(piece) < longPiece {
		var buf [longPiece]part
		return len(b.ranks.merge(piece, buf[:0])) - 1
	}
	m := longMerges.Get().(*longMerge)
	defer longMerges.Put(m)
	return len(m.merge(b.ranks, piece)) - 1
}
