package guard

import "strings"

// A rule is a short sequence of phrase classes that must occur in order, each
// within a byte gap of the previous one, for a phrase detector to fire. Rules
// run over the keyword hits, not the text, so their cost does not grow with
// the number of rules times the text length.
type rule struct {
	d     det
	name  string
	score float64
	slots []uint64 // class mask each hit must match, in order
	gaps  []int32  // gaps[i]: max bytes between slot i-1's end and slot i's start
	// notBetween vetoes a match if a hit of these classes lies between the slots.
	notBetween uint64
	// notBefore vetoes a match if a hit of these classes ends within beforeGap
	// bytes before the first slot.
	notBefore uint64
	beforeGap int32
	inputOnly bool // prompts only (a user asking for advice)
	// imperative: the first slot must open a clause ("Ignore ...", "please
	// ignore", "you must ignore"), not follow a subject ("older toolchains
	// ignore ... directives").
	imperative bool
	// addressee: the last slot (an insult) must be said of the first (you,
	// your): no sentence break, negation or other subject between them ("you
	// are useless", not "you're not useless", "do you think it's stupid",
	// "you have these idiotic fees"); see predicatedOfYou.
	addressee bool
	// unquoted: a match inside quotation marks is reported or discussed
	// speech ("a message saying \"you will regret this\""), not made here;
	// every addressee rule is also unquoted.
	unquoted bool
}

func r(d det, name string, score float64, slots ...uint64) rule {
	return rule{d: d, name: name, score: score, slots: slots}
}

func (x rule) gap(g ...int32) rule { x.gaps = append([]int32{0}, g...); return x }
func (x rule) veto(c uint64) rule  { x.notBetween = c; return x }
func (x rule) input() rule         { x.inputOnly = true; return x }
func (x rule) imper() rule         { x.imperative = true; return x }
func (x rule) toYou() rule         { x.addressee, x.unquoted = true, true; return x }
func (x rule) unq() rule           { x.unquoted = true; return x }
func (x rule) vetoBefore(c uint64, g int32) rule {
	x.notBefore, x.beforeGap = c, g
	return x
}

var rules = []rule{
	// injection: instruction override, in English word order and others
	r(detInjection, "injection.override", 0.95, cIGN, cPRIOR, cINSTR).gap(16, 14).veto(cMY).imper(),
	r(detInjection, "injection.override", 0.85, cIGN, cINSTRS).gap(20).veto(cMY).imper(),
	r(detInjection, "injection.override", 0.95, cIGN, cINSTR, cPRIOR).gap(24, 16).veto(cMY).imper(),
	r(detInjection, "injection.override", 0.95, cPRIOR, cINSTR, cIGN).gap(30, 40).veto(cMY),
	r(detInjection, "injection.override", 0.85, cIGN, cABOVE).gap(12).imper(),
	r(detInjection, "injection.override", 0.9, cPRIOR, cINSTR, cIGNP).gap(14, 24).veto(cMY),
	r(detInjection, "injection.override", 0.88, cSYSP, cIGNP).gap(14).veto(cMY),
	r(detInjection, "injection.override", 0.85, cNEWINSTR),
	r(detInjection, "injection.extraction", 0.9, cREVEAL, cSYSP).gap(30),
	r(detInjection, "injection.indirect", 0.9, cAIADDR, cACT).gap(160),
	r(detInjection, "injection.exfiltration", 0.9, cEXFIL, cSENS, cURL).gap(40, 60),
	r(detInjection, "injection.hide", 0.85, cHIDE),
	// jailbreak
	r(detJailbreak, "jailbreak.persona", 0.92, cDAN),
	r(detJailbreak, "jailbreak.persona", 0.88, cDANW, cDEVCTX|cPRETEND|cYOU|cNOLIM).gap(60),
	r(detJailbreak, "jailbreak.persona", 0.88, cDEVCTX|cPRETEND|cYOU, cDANW).gap(40),
	r(detJailbreak, "jailbreak.devmode", 0.88, cDEVMODE, cDEVCTX).gap(80),
	r(detJailbreak, "jailbreak.devmode", 0.88, cDEVCTX, cDEVMODE).gap(80),
	r(detJailbreak, "jailbreak.devmode", 0.88, cDEVMODE, cNOLIM).gap(60),
	r(detJailbreak, "jailbreak.devmode", 0.88, cNOLIM, cDEVMODE).gap(60),
	r(detJailbreak, "jailbreak.roleplay", 0.92, cPRETEND, cNOLIMS).gap(90),
	r(detJailbreak, "jailbreak.roleplay", 0.92, cPRETEND, cNOLIM).gap(50),
	r(detJailbreak, "jailbreak.roleplay", 0.9, cNOLIM, cPRETEND).gap(40),
	r(detJailbreak, "jailbreak.nolimits", 0.88, cYOU, cNOLIMS).gap(14),
	r(detJailbreak, "jailbreak.nolimits", 0.85, cRESPOND, cNOLIMS).gap(12),
	// financial advice
	r(detAdvice, "advice.recommend", 0.85, cADV, cINVS).gap(18),
	r(detAdvice, "advice.recommend", 0.88, cADV, cBUY, cFIN).gap(18, 30),
	r(detAdvice, "advice.recommend", 0.85, cADV, cINVW, cFIN).gap(18, 30),
	r(detAdvice, "advice.savings", 0.88, cINVW, cSAVE).gap(20),
	r(detAdvice, "advice.request", 0.8, cASK).input(),
	r(detAdvice, "advice.request", 0.8, cASKB, cFIN).gap(30).input(),
	r(detAdvice, "advice.request", 0.8, cWHICHQ, cFIN, cSHOULDI).gap(14, 14).input(),
	r(detAdvice, "advice.request", 0.8, cWHICHQ, cSHOULDI, cFIN).gap(20, 30).input(),
	r(detAdvice, "advice.request", 0.8, cWHICHQ, cSHOULDI, cINVS|cINVW).gap(6, 6).input(),
	r(detAdvice, "advice.recommend", 0.85, cALLIN, cFIN).gap(20),
	r(detAdvice, "advice.tip", 0.9, cBUY, cTIP).gap(40),
	r(detAdvice, "advice.returns", 0.88, cPCT, cPERIOD, cGUAR).gap(4, 40),
	r(detAdvice, "advice.returns", 0.9, cGUAR, cPCT, cRET).gap(25, 25),
	r(detAdvice, "advice.returns", 0.9, cGUAR, cRET, cPCT).gap(10, 25),
	r(detAdvice, "advice.returns", 0.9, cPCT, cRET, cGUAR).gap(12, 12),
	r(detAdvice, "advice.returns", 0.45, cGUAR, cRET).gap(10),
	r(detAdvice, "advice.returns", 0.85, cMULT).vetoBefore(cDEFQ, 30),
	// toxicity
	r(detToxicity, "toxicity.insult", 0.9, cYOU, cINSN).gap(12).toYou(),
	r(detToxicity, "toxicity.insult", 0.8, cYOU, cINSA).gap(12).toYou(),
	r(detToxicity, "toxicity.insult", 0.8, cYOUR, cINSN).gap(10).toYou(),
	// "your advisors are incompetent clowns": prompts only, so that an
	// answer's every "your" is not held back in a stream for 40 bytes
	r(detToxicity, "toxicity.insult", 0.8, cYOUR, cINSN).gap(40).toYou().input(),
	r(detToxicity, "toxicity.insult", 0.85, cINSX),
	r(detToxicity, "toxicity.insult", 0.85, cINSN, cTHRO).gap(12),
	r(detToxicity, "toxicity.insult", 0.45, cINSN),
	r(detToxicity, "toxicity.insult", 0.85, cRUDE, cINSN|cINSA|cINSX).gap(12),
	r(detToxicity, "toxicity.harassment", 0.9, cPROF),
	r(detToxicity, "toxicity.harassment", 0.45, cRUDE),
	r(detToxicity, "toxicity.threat", 0.92, cIWILL, cTHRV, cTHRO).gap(30, 14).toYou(),
	r(detToxicity, "toxicity.threat", 0.9, cTHREAT).unq(),
	r(detToxicity, "toxicity.threat", 0.88, cIWILL, cTHRV, cBODY).gap(12, 30).unq(),
	r(detToxicity, "toxicity.threat", 0.85, cWISH, cYOU|cYOUR|cTHRO, cTHRV).gap(6, 40).toYou().input(),
	r(detToxicity, "toxicity.hate", 0.9, cGROUP, cDEHUM).gap(25),
	r(detToxicity, "toxicity.hate", 0.9, cHATEV, cGROUP).gap(15),
	// confidential markings
	r(detConfidential, "confidential.marking", 0.9, cMARK),
	r(detConfidential, "confidential.mnpi", 0.7, cMARKS).vetoBefore(cDEFQ, 40),
}

// ruleFirst is every class that starts a rule: hits outside it are skipped.
var ruleFirst uint64

func init() {
	for _, x := range rules {
		ruleFirst |= x.slots[0]
	}
}

// compactRule reports whether every slot of x uses only attack classes, so
// the rule can run over the obfuscation pass's hits.
func compactRule(x rule) bool {
	if x.d != detInjection && x.d != detJailbreak {
		return false
	}
	// one phrase read without spaces is too weak ("U5Er" reads "user"),
	// except the long persona names and "do not tell the user"
	if len(x.slots) == 1 && x.slots[0]&(cDAN|cHIDE) == 0 {
		return false
	}
	for _, s := range x.slots {
		if s&^attackClasses != 0 {
			return false
		}
	}
	return true
}

// evalRules appends a finding for each rule match over hits (sorted by start).
// cls returns the classes of a hit; compact widens gaps (obfuscated text).
func evalRules(text string, hits []hit, cls func(hit) uint64, dir Direction, compact bool, out []Finding) []Finding {
	for i := range hits {
		c := cls(hits[i])
		if c&ruleFirst == 0 {
			continue
		}
		for ri := range rules {
			x := &rules[ri]
			if x.slots[0]&c == 0 || (x.inputOnly && dir != Input) || (compact && !compactRule(*x)) ||
				(x.imperative && !compact && !clauseStart(text, int(hits[i].start))) {
				continue
			}
			last, end, ok := matchRule(hits, i, x, cls, compact)
			if !ok || !compact && (x.addressee && !predicatedOfYou(text[hits[i].end:last]) ||
				x.unquoted && quoted(text, int(hits[i].start), end)) {
				continue
			}
			out = append(out, Finding{Type: detIDs[x.d], Start: int(hits[i].start), End: end,
				Score: x.score, Detector: x.name})
		}
	}
	return out
}

// matchRule returns the start of the last slot's hit and the end of the match.
func matchRule(hits []hit, i int, x *rule, cls func(hit) uint64, compact bool) (int, int, bool) {
	if x.notBefore != 0 && vetoedBefore(hits, i, x, cls) {
		return 0, 0, false
	}
	prev := i
	for s := 1; s < len(x.slots); s++ {
		g := x.gaps[s]
		if compact {
			g = g*2 + 8
		}
		limit := hits[prev].end + g
		next := -1
		for j := prev + 1; j < len(hits) && hits[j].start <= limit; j++ {
			if hits[j].start < hits[prev].end {
				continue
			}
			if cls(hits[j])&x.slots[s] != 0 {
				next = j
				// among phrases starting here, take the longest ("instructions", not "instruction")
				for next+1 < len(hits) && hits[next+1].start == hits[j].start &&
					cls(hits[next+1])&x.slots[s] != 0 {
					next++
				}
				break
			}
		}
		if next < 0 {
			return 0, 0, false
		}
		if x.notBetween != 0 {
			for j := prev + 1; j < next; j++ {
				if hits[j].start >= hits[prev].end && hits[j].end <= hits[next].start &&
					cls(hits[j])&x.notBetween != 0 {
					return 0, 0, false
				}
			}
		}
		prev = next
	}
	return int(hits[prev].start), int(hits[prev].end), true
}

// notOfYou are words that, between "you" and an insult, say the insult is
// not predicated of the addressee: negation ("you're not useless"), another
// subject or object ("you think it's stupid", "you have these idiotic fees",
// "I told you my phone is useless") or a feeling ("have you felt useless").
var notOfYou = map[string]bool{
	"not": true, "never": true, "no": true, "nothing": true, "hardly": true,
	"it": true, "it's": true, "its": true, "this": true, "that": true, "that's": true, "these": true, "those": true,
	"he": true, "he's": true, "she": true, "she's": true, "they": true, "they're": true, "him": true, "her": true,
	"them": true, "his": true, "their": true, "i": true, "i'm": true, "me": true, "my": true, "we": true,
	"us": true, "our": true, "feel": true, "felt": true, "feeling": true, "think": true, "thought": true,
	"if": true, "whether": true,
}

// quoted reports whether text[start:end] sits inside quotation marks: an
// opening quote right before it (spaces aside) and a closing one within 60
// bytes after it, with no sentence break between. Quoted insults are being
// reported, translated or discussed ("translate 'you are a loser' into
// French", "he wrote \"you useless clown\" under my post"), not said to
// anyone; the learned detector still reads them.
func quoted(text string, start, end int) bool {
	i := start
	for i > 0 && text[i-1] == ' ' {
		i--
	}
	opening := i > 0 && (text[i-1] == '\'' || text[i-1] == '"') ||
		i >= 3 && (text[i-3:i] == "\u201c" || text[i-3:i] == "\u2018")
	if !opening {
		return false
	}
	for j := end; j < len(text) && j < end+60; j++ {
		switch c := text[j]; {
		case c == '.' || c == '!' || c == '?' || c == '\n':
			// a closing quote may follow the sentence's own punctuation
			if j+1 < len(text) && (text[j+1] == '\'' || text[j+1] == '"') {
				return true
			}
			return j+3 < len(text) && (text[j+1:j+4] == "\u201d" || text[j+1:j+4] == "\u2019")
		case c == '"':
			return true
		case c == '\'' && (j+1 == len(text) || !isLetter(text[j+1])):
			return true // not the apostrophe of "loser's"
		case c == 0xE2 && j+3 <= len(text) && (text[j:j+3] == "\u201d" || text[j:j+3] == "\u2019") &&
			(j+3 == len(text) || !isLetter(text[j+3])):
			return true
		}
	}
	return false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// predicatedOfYou reports whether the text between "you" / "your" and an
// insult lets the insult be said of the addressee: no sentence break and no
// word of notOfYou (a contraction ending in n't counts as negation; "this" or
// "that" right before the insult is a degree word, not a subject).
func predicatedOfYou(between string) bool {
	for i := 0; i < len(between); {
		c := between[i]
		switch {
		case c == '.' || c == '!' || c == '?' || c == ';' || c == '\n':
			return false
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '\'' || c >= 0x80:
			j := i
			for j < len(between) && (between[j] >= 'a' && between[j] <= 'z' || between[j] >= 'A' && between[j] <= 'Z' ||
				between[j] == '\'' || between[j] >= 0x80) {
				j++
			}
			w := strings.ToLower(strings.ReplaceAll(between[i:j], "\u2019", "'"))
			if (w == "this" || w == "that") && strings.TrimSpace(between[j:]) == "" {
				// a degree word right before the insult: "are you truly this useless"
			} else if notOfYou[w] || strings.HasSuffix(w, "n't") {
				return false
			}
			i = j
		default:
			i++
		}
	}
	return true
}

func vetoedBefore(hits []hit, i int, x *rule, cls func(hit) uint64) bool {
	for j := i - 1; j >= 0 && j >= i-16; j-- {
		if hits[j].end <= hits[i].start && hits[i].start-hits[j].end <= x.beforeGap &&
			cls(hits[j])&x.notBefore != 0 {
			return true
		}
	}
	return false
}

// imperativeLead are words after which a verb is still an instruction.
var imperativeLead = map[string]bool{"please": true, "pls": true, "plz": true, "kindly": true,
	"now": true, "and": true, "so": true, "just": true, "you": true, "must": true,
	"should": true, "to": true, "will": true, "then": true, "also": true, "simply": true,
	"completely": true, "totally": true, "fully": true, "immediately": true, "first": true,
	"always": true, "instead": true, "actually": true, "ok": true, "okay": true, "hey": true,
	"hi": true, "can": true, "could": true, "would": true, "never": true, "but": true,
	"assistant": true, "ai": true, "chatgpt": true, "bot": true, "y": true, "et": true,
	"und": true, "e": true, "aur": true, "bitte": true, "por": true, "favor": true,
	"stp": true, "plus": true, "mal": true, "devez": true, "dois": true, "doit": true,
	"debes": true, "debe": true, "deberias": true, "musst": true, "muss": true, "müssen": true,
	"sollst": true, "sollen": true, "devi": true, "deve": true}

// clauseStart reports whether the word at i opens a clause: it follows
// the start of the text, punctuation, or a word like "please" or "must".
func clauseStart(text string, i int) bool {
	j := i
	for j > 0 && (text[j-1] == ' ' || text[j-1] == '\t') {
		j--
	}
	if j == 0 || !isAlnum(text[j-1]) {
		return true
	}
	k := j
	for k > 0 && isAlnum(text[k-1]) {
		k--
	}
	return imperativeLead[strings.ToLower(text[k:j])]
}
