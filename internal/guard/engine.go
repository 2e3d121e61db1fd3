package guard

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Options configure an Engine.
type Options struct {
	// Terms are tenant-defined confidential terms (project code names, client
	// names). Each is matched case-insensitively on word boundaries, after the
	// same normalisation as attack phrases (so digits match any digit), and
	// reported as confidential with Detector "confidential.term". Each term
	// must have at least 3 characters.
	Terms []string
}

// Engine scans text for every detector. It is built once, is immutable and is
// safe for concurrent use; per-call scratch memory comes from a pool.
type Engine struct {
	terms *automaton // nil when the tenant defined no terms
}

// compiled is the lexicon automaton shared by every Engine.
var compiled struct {
	once          sync.Once
	err           error
	main, compact *automaton
	pats          []acPattern
	meta          []lexMeta
	compactToMain []uint16
}

func compileLexicon() {
	c := &compiled
	c.pats, c.meta = buildLexicon(lexicon())
	if c.main, c.err = compile(c.pats, false); c.err != nil {
		return
	}
	var cp []acPattern
	for i, p := range c.pats {
		if c.meta[i].cls&attackClasses != 0 && len(compactString(normPattern(p.text))) >= 4 &&
			!strings.ContainsAny(p.text, "<[#") {
			cp = append(cp, acPattern{text: p.text})
			c.compactToMain = append(c.compactToMain, uint16(i))
		}
	}
	c.compact, c.err = compile(cp, true)
}

// NewEngine compiles the detectors (once per process) and the tenant terms.
func NewEngine(opts Options) (*Engine, error) {
	compiled.once.Do(compileLexicon)
	if compiled.err != nil {
		return nil, fmt.Errorf("compiling guardrail lexicon: %w", compiled.err)
	}
	if _, err := loadLearned(); err != nil {
		return nil, err
	}
	return (&Engine{}).WithTerms(opts.Terms)
}

// WithTerms returns an Engine that shares e's detectors and matches terms
// (replacing e's own terms) as confidential. It is cheap: only the terms are compiled.
func (e *Engine) WithTerms(terms []string) (*Engine, error) {
	out := &Engine{}
	if len(terms) == 0 {
		return out, nil
	}
	pats := make([]acPattern, 0, len(terms))
	for _, t := range terms {
		if n := normPattern(t); len(strings.TrimSpace(n)) < 3 {
			return nil, fmt.Errorf("confidential term %q: need at least 3 characters", t)
		}
		pats = append(pats, acPattern{text: t})
	}
	a, err := compile(pats, false)
	if err != nil {
		return nil, fmt.Errorf("compiling confidential terms: %w", err)
	}
	out.terms = a
	return out, nil
}

// Scan returns every finding in text, whatever its score, sorted by Start.
// Overlapping values are resolved to one finding (an IBAN's digits are not
// also an Aadhaar number; a card number is not also a bank account). The
// result holds no part of text.
func (e *Engine) Scan(text string, dir Direction) []Finding {
	return e.scan(text, dir, true) // a zero Engine works too
}

// scan is Scan; learned says whether the learned detectors run.
func (e *Engine) scan(text string, dir Direction, learned bool) []Finding {
	compiled.once.Do(compileLexicon)
	if compiled.err != nil {
		return nil
	}
	s := getScanner(e, text, dir, 0)
	defer putScanner(s)
	s.useLearned = learned
	s.run()
	if len(s.found) == 0 {
		return nil
	}
	out := make([]Finding, len(s.found))
	copy(out, s.found)
	return out
}

// span is a byte range of the scanned text.
type span struct{ start, end int }

// scanner holds the state of one Scan; it is pooled.
type scanner struct {
	e      *Engine
	text   string
	dir    Direction
	depth  int // 1 inside decoded base64
	hits   []hit
	hits2  []hit
	found  []Finding
	obf    []span // obfuscation markers: leetspeak words, spaced-out letters
	b64    []span // base64 runs to decode
	b64End int
	sawZW  bool
	single struct{ count, start, end int } // current run of one-letter words
	// useLearned runs the learned detectors (not on decoded base64, and not
	// on the short fragments a StreamScanner screens).
	useLearned bool
	dbuf       [40]byte
}

var scannerPool = sync.Pool{New: func() any { return new(scanner) }}

func getScanner(e *Engine, text string, dir Direction, depth int) *scanner {
	s := scannerPool.Get().(*scanner)
	s.e, s.text, s.dir, s.depth = e, text, dir, depth
	s.hits, s.hits2, s.found = s.hits[:0], s.hits2[:0], s.found[:0]
	s.obf, s.b64, s.b64End, s.sawZW = s.obf[:0], s.b64[:0], 0, false
	s.single.count = 0
	s.useLearned = false
	return s
}

func putScanner(s *scanner) {
	s.e, s.text = nil, ""
	if cap(s.hits) > 1<<16 || cap(s.found) > 1<<12 {
		return // do not keep huge buffers alive
	}
	scannerPool.Put(s)
}

func (s *scanner) run() {
	s.hits, s.sawZW = compiled.main.scan(s.text, s.hits)
	sortHits(s.hits)
	if s.addSynthetic() {
		sortHits(s.hits)
	}
	s.structural()
	s.keyValues()
	s.found = evalRules(s.text, s.hits, hitClasses, s.dir, false, s.found)
	if s.e.terms != nil {
		s.termPass()
	}
	if s.sawZW || len(s.obf) > 0 {
		s.compactPass()
	}
	if s.useLearned && s.depth == 0 {
		s.learned()
	}
	if s.depth == 0 {
		for _, b := range s.b64 {
			s.decodeBase64(b)
		}
	}
	s.found = resolve(s.found)
}

// Synthetic hit ids, above every lexicon pattern id.
const (
	synthDANW uint16 = 0xFFFF - iota
	synthNOLIMS
	synthNOLIM
	synthFIN // lowest synthetic id
)

func hitClasses(h hit) uint64 {
	switch h.pat {
	case synthDANW:
		return cDANW
	case synthNOLIMS:
		return cNOLIM | cNOLIMS
	case synthNOLIM:
		return cNOLIM
	case synthFIN:
		return cFIN
	}
	return compiled.meta[h.pat].cls
}

func compactClasses(h hit) uint64 {
	return compiled.meta[compiled.compactToMain[h.pat]].cls
}

// addSynthetic adds hits that need the original text or two phrases: "DAN"
// in capitals, a capitalised name after "buy"/"sell" (an asset such as Tesla
// or HDFC), and "without ... limits" phrases ("with no ethical guidelines").
func (s *scanner) addSynthetic() bool {
	added := false
	n := len(s.hits)
	for i := 0; i < n; i++ {
		h := s.hits[i]
		if h.pat >= synthFIN {
			continue
		}
		m := compiled.meta[h.pat]
		if m.cls&cWITHOUT != 0 {
			added = s.noLimits(i, n) || added
		}
		if m.kind == kDanWord && s.text[h.start:h.end] == "DAN" {
			s.hits = append(s.hits, hit{pat: synthDANW, start: h.start, end: h.end})
			added = true
		}
		if m.cls&(cBUY|cASKB) != 0 {
			if ws, we, ok := s.capitalisedWordAfter(int(h.end)); ok {
				s.hits = append(s.hits, hit{pat: synthFIN, start: int32(ws), end: int32(we)})
				added = true
			}
		}
	}
	return added
}

// noLimits pairs the "without" hit at i with a following limit noun.
func (s *scanner) noLimits(i, n int) bool {
	h := s.hits[i]
	for j := i + 1; j < n && s.hits[j].start <= h.end+20; j++ {
		o := s.hits[j]
		if o.start < h.end || o.pat >= synthFIN {
			continue
		}
		c := compiled.meta[o.pat].cls
		switch {
		case c&cLIMS != 0:
			s.hits = append(s.hits, hit{pat: synthNOLIMS, start: h.start, end: o.end})
			return true
		case c&cLIMW != 0:
			s.hits = append(s.hits, hit{pat: synthNOLIM, start: h.start, end: o.end})
			return true
		}
	}
	return false
}

func (s *scanner) capitalisedWordAfter(i int) (int, int, bool) {
	t := s.text
	for i < len(t) && t[i] == ' ' {
		i++
	}
	if i >= len(t) || t[i] < 'A' || t[i] > 'Z' {
		return 0, 0, false
	}
	j := i
	for j < len(t) && isAlnum(t[j]) {
		j++
	}
	if j-i < 2 {
		return 0, 0, false
	}
	return i, j, true
}

// sortHits sorts by start; hits arrive nearly sorted (by end), so insertion
// sort is linear in practice.
func sortHits(h []hit) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && h[j].start < h[j-1].start; j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}

// ctx returns the context classes of words ending up to before bytes ahead of
// [start,end) or starting up to after bytes behind it.
func (s *scanner) ctx(start, end, before, after int) uint16 {
	h := s.hits
	lo, hi := 0, len(h)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(h[m].start) < start-before-64 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	var c uint16
	for j := lo; j < len(h) && int(h[j].start) <= end+after; j++ {
		if h[j].pat >= synthFIN {
			continue
		}
		hs, he := int(h[j].start), int(h[j].end)
		if (he <= start && he >= start-before) || hs >= end {
			c |= compiled.meta[h[j].pat].ctx
		}
	}
	return c
}

func (s *scanner) add(d det, start, end int, score float64, name string) {
	if score <= 0 {
		return
	}
	if score > 1 {
		score = 1
	}
	s.found = append(s.found, Finding{Type: detIDs[d], Start: start, End: end, Score: score, Detector: name})
}

func (s *scanner) termPass() {
	s.hits2 = s.hits2[:0]
	s.hits2, _ = s.e.terms.scan(s.text, s.hits2)
	for _, h := range s.hits2 {
		s.add(detConfidential, int(h.start), int(h.end), 0.95, "confidential.term")
	}
}

// detPriority breaks score ties between overlapping values: checksummed
// formats first, context-only ones last.
var detPriority = [numDets]int{
	detIBAN: 0, detCard: 1, detAadhaar: 2, detSSN: 3, detABA: 4, detPAN: 5, detIFSC: 6,
	detUPI: 7, detEmail: 8, detIP: 9, detPhone: 10, detConfidential: 11, detBank: 12,
}

func isValueFinding(f *Finding) bool {
	d, _ := detByID(f.Type)
	return d.isPII() || (d == detConfidential && !strings.HasPrefix(f.Detector, "confidential.marking") &&
		!strings.HasPrefix(f.Detector, "confidential.mnpi"))
}

// resolve keeps one value finding per overlapping cluster (highest score,
// then priority, then length) and merges overlapping phrase findings of the
// same type. The result is sorted by Start, then End.
func resolve(fs []Finding) []Finding {
	if len(fs) < 2 {
		return fs
	}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].Start != fs[j].Start {
			return fs[i].Start < fs[j].Start
		}
		return fs[i].End > fs[j].End
	})
	out := fs[:0:0]
	var phrases []Finding
	for i := 0; i < len(fs); {
		if !isValueFinding(&fs[i]) {
			phrases = append(phrases, fs[i])
			i++
			continue
		}
		j, end := i+1, fs[i].End
		for j < len(fs) && fs[j].Start < end {
			if isValueFinding(&fs[j]) && fs[j].End > end {
				end = fs[j].End
			}
			j++
		}
		out = pickCluster(fs[i:j], out, &phrases)
		i = j
	}
	out = append(out, mergePhrases(phrases)...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		return out[i].End < out[j].End
	})
	return out
}

func better(a, b *Finding) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	da, _ := detByID(a.Type)
	db, _ := detByID(b.Type)
	if detPriority[da] != detPriority[db] {
		return detPriority[da] < detPriority[db]
	}
	return a.End-a.Start > b.End-b.Start
}

func pickCluster(c []Finding, out []Finding, phrases *[]Finding) []Finding {
	var vals []Finding
	for _, f := range c {
		if isValueFinding(&f) {
			vals = append(vals, f)
		} else {
			*phrases = append(*phrases, f)
		}
	}
	sort.SliceStable(vals, func(i, j int) bool { return better(&vals[i], &vals[j]) })
	first := len(out)
	for _, f := range vals {
		ok := true
		for _, g := range out[first:] {
			if f.Start < g.End && g.Start < f.End {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, f)
		}
	}
	return out
}

func mergePhrases(ps []Finding) []Finding {
	var out []Finding
	for _, p := range ps {
		merged := false
		for k := range out {
			q := &out[k]
			if q.Type == p.Type && p.Start < q.End && q.Start < p.End {
				if p.Score > q.Score {
					q.Score, q.Detector, q.Features = p.Score, p.Detector, p.Features
				}
				q.Start, q.End = min(q.Start, p.Start), max(q.End, p.End)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, p)
		}
	}
	return out
}
