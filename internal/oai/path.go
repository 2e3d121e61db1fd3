package oai

import (
	"strconv"
	"strings"
)

// path names where a value sits in a request ("messages[1].content[0].type").
// Validation passes it by value and turns it into a string only for an
// error: most requests are valid, and building every name would cost more
// than checking.
type path struct {
	segs [8]seg
	n    int
}

// seg is a member name (key) or an array index (idx >= 0).
type seg struct {
	key string
	idx int
}

// param returns the path of a top-level parameter.
func param(name string) path { return path{}.key(name) }

// key returns the path of member k of p's object.
func (p path) key(k string) path {
	if p.n < len(p.segs) {
		p.segs[p.n] = seg{key: k, idx: -1}
		p.n++
	}
	return p
}

// index returns the path of element i of p's array.
func (p path) index(i int) path {
	if p.n < len(p.segs) {
		p.segs[p.n] = seg{idx: i}
		p.n++
	}
	return p
}

func (p path) String() string {
	var b strings.Builder
	for _, s := range p.segs[:p.n] {
		if s.idx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.idx))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}
