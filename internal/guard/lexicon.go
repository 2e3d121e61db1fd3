package guard

import "strings"

// Phrase classes used by the rules (rules.go). A phrase may belong to several.
const (
	// injection
	cIGN      uint64 = 1 << iota // ignore, disregard, forget
	cPRIOR                       // previous, prior, above
	cINSTR                       // instructions, rules, prompt
	cINSTRS                      // strong: instructions, guardrails, your rules
	cMY                          // self reference that vetoes an override ("my previous")
	cABOVE                       // "everything above"
	cNEWINSTR                    // "your new instructions", chat-template tokens
	cAIADDR                      // text addressing an AI reader ("note to ai")
	cACT                         // imperative verbs after an AI address
	cEXFIL                       // send, forward, upload
	cSENS                        // conversation, credentials
	cURL                         // http, webhook
	cREVEAL                      // reveal, print, repeat
	cSYSP                        // your system prompt, your instructions
	cHIDE                        // "do not tell the user"
	// jailbreak
	cDAN     // DAN and other named jailbreak personas/modes
	cDEVMODE // developer mode, god mode
	cDEVCTX  // words that make a "mode" about the model
	cPRETEND // pretend, act as, role-play
	cNOLIM   // no restrictions (weak: also banking language)
	cNOLIMS  // no ethical guidelines, uncensored (strong)
	cYOU     // you, you're
	cYOUR    // your
	// financial advice
	cADV  // you should, I recommend
	cINVS // invest, accumulate: advice on their own
	cBUY  // buy, sell: advice only with an asset
	cINVW // put, move, park
	cFIN  // stocks, mutual fund, crypto (or a capitalised asset name)
	cASK  // "should I invest", "which stock should"
	cASKB // "should I buy": needs an asset
	cGUAR // guaranteed, assured, risk-free
	cRET  // returns, profit
	cPCT  // %, percent
	cMULT // double your money, multibagger
	cSAVE // your savings, all your money
	cDEFQ // "what is", "explain": definitional questions
	// toxicity
	cINSN   // idiot, moron
	cINSA   // stupid, useless
	cINSX   // strong insults and slurs that stand alone
	cPROF   // fuck you, go to hell
	cIWILL  // I will, I'm going to
	cTHRV   // kill, hurt, burn
	cTHRO   // you, your family, the branch
	cTHREAT // "i know where you live"
	cGROUP  // protected groups
	cDEHUM  // "are vermin", "should die"
	cHATEV  // "kill all", "I hate"
	// confidential
	cMARK    // strictly confidential, internal use only
	cMARKS   // MNPI, insider information: soft, vetoed by definitional questions
	cRUDE    // shut up: weak, needs a target
	cDANW    // the word DAN in capitals (synthetic)
	cIGNP    // "should be ignored", "no longer apply": passive override
	cWITHOUT // without, with no, free of
	cLIMS    // safety, ethics, filters, censorship: limits on the model
	cLIMW    // restrictions, rules, limits: also banking words
	cWHICHQ  // which, best, suggest: asking for a pick
	cSHOULDI // should I, to invest in
	cRESPOND // respond, answer, reply: the model's output
	cALLIN   // go all in, bet everything on
	cPERIOD  // a month, per week: a return quoted per period
	cBODY    // face, head: targets of violence
	cTIP     // stop loss, target: a trading call
	cWISH    // I hope, I wish: a wish of harm when harm follows
)

// Context classes: words near a number that say what it is.
const (
	xSSN uint16 = 1 << iota
	xCard
	xBank
	xABA
	xAadhaar
	xPAN
	xIFSC
	xIBAN
	xPhone
	xIP
	xNeg // order, invoice, reference: an id, not PII
	xVer // version, section: not an IP address
)

// Phrase kinds that need code beyond the rules.
const (
	kNone      uint8 = iota
	kSecretKey       // password, api_key: a value follows
	kCodeKey         // OTP, PIN, CVV: a short number follows
	kPinNeg          // "pin code": a postal code, not a PIN
	kMarkWeak        // "confidential": a marking only in capitals or with a colon
	kDanWord         // "dan": a jailbreak only in capitals
	kBearer          // "bearer": a token follows
	kSysLabel        // "SYSTEM:": a forged role label
)

type lexGroup struct {
	cls   uint64
	ctx   uint16
	kind  uint8
	words string // '|'-separated phrases; a trailing '*' makes a stem
}

// lexMeta is the merged metadata of one phrase.
type lexMeta struct {
	cls  uint64
	ctx  uint16
	kind uint8
}

// lexicon is every phrase group; see lexicon_attack.go and lexicon_misc.go.
func lexicon() []lexGroup {
	out := append([]lexGroup(nil), attackLexicon...)
	out = append(out, adviceLexicon...)
	out = append(out, toxicLexicon...)
	out = append(out, confidentialLexicon...)
	return append(out, contextLexicon...)
}

// buildLexicon merges the groups into one pattern list with metadata.
func buildLexicon(groups []lexGroup) ([]acPattern, []lexMeta) {
	index := map[string]int{}
	var pats []acPattern
	var meta []lexMeta
	for _, g := range groups {
		for _, w := range strings.Split(g.words, "|") {
			w = strings.TrimSpace(w)
			prefix := strings.HasSuffix(w, "*")
			w = strings.TrimSuffix(w, "*")
			if w == "" {
				continue
			}
			key := normPattern(w)
			if prefix {
				key += "*"
			}
			i, ok := index[key]
			if !ok {
				i = len(pats)
				index[key] = i
				pats = append(pats, acPattern{text: w, prefix: prefix})
				meta = append(meta, lexMeta{})
			}
			meta[i].cls |= g.cls
			meta[i].ctx |= g.ctx
			if g.kind != kNone {
				meta[i].kind = g.kind
			}
		}
	}
	return pats, meta
}

// attackClasses are the classes used by injection and jailbreak rules; only
// these phrases go into the obfuscation (compact) automaton.
const attackClasses = cIGN | cPRIOR | cINSTR | cINSTRS | cABOVE | cNEWINSTR | cREVEAL |
	cSYSP | cDAN | cDEVMODE | cDEVCTX | cPRETEND | cNOLIM | cNOLIMS | cYOU | cAIADDR | cACT |
	cHIDE | cIGNP | cWITHOUT | cLIMS | cLIMW | cRESPOND
